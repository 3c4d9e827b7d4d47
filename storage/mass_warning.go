package storage

import (
	"fmt"
	"sort"
	"strings"
)

// MassWarningDraft drafts a consumer warning (消费提示) from a group and its cases:
// the merchant, how many complaints, the common problems (the most frequent
// categories, natures and the priority words found) and advice. It is a starting
// point the supervisor edits; nothing publishes it.
func MassWarningDraft(g *MassGroup, cases []*Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "消费提示：关于“%s”的集中投诉\n\n", g.MerchantName)
	fmt.Fprintf(&b, "%s至%s，本会共收到消费者针对“%s”的投诉%d件。",
		g.FirstAt.In(ChinaTime).Format("2006年1月2日"), g.LastAt.In(ChinaTime).Format("2006年1月2日"),
		g.MerchantName, len(cases))
	if problems := massProblems(g, cases); problems != "" {
		fmt.Fprintf(&b, "投诉主要反映：%s。", problems)
	}
	b.WriteString("\n\n本会提醒广大消费者：\n")
	b.WriteString("1. 谨慎办理预付卡、会员卡，单次充值金额不宜过大，保留好合同、收据和付款凭证；\n")
	b.WriteString("2. 发现商家闭店、失联或拒不退款等情况，及时固定证据，通过本会投诉渠道或12315反映；\n")
	b.WriteString("3. 网购商品依法享有七日无理由退货权利（定作、鲜活易腐等法定除外商品除外），遇商家拒绝可依法维权。\n")
	return b.String()
}

// massProblems lists the top categories and natures of the cases and the
// priority words of the group, "、"-separated.
func massProblems(g *MassGroup, cases []*Case) string {
	counts := map[string]int{}
	for _, c := range cases {
		for _, v := range []string{c.Category, c.Nature} {
			if v != "" {
				counts[v]++
			}
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	if len(keys) > 3 {
		keys = keys[:3]
	}
	if g.PriorityWords != "" {
		keys = append(keys, strings.Split(g.PriorityWords, "、")...)
	}
	return strings.Join(keys, "、")
}
