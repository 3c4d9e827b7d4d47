package dialog

import (
	"strings"
	"time"
)

// Seven-day no-reason returns (七日无理由退货, 消费者权益保护法 art. 25): goods bought
// online, on television, by telephone or by mail order may be returned within
// seven days of receipt without a reason, with exceptions. When the intake shows
// such a purchase and a return or refund demand, the chat tells the consumer the
// rule once, right after the answer that completes the picture, without asking
// anything; the filed case is tagged (storage.Case.SevenDayReturn).

// distanceWords in the merchant address answer mark a distance purchase: the
// address question invites "the online shop or platform" for online purchases.
var distanceWords = []string{
	"淘宝", "天猫", "京东", "拼多多", "抖音", "快手", "小红书", "唯品会", "闲鱼", "苏宁易购",
	"微店", "微信", "小程序", "网店", "网购", "网上", "网站", "官网", "线上", "电商",
	"直播", "电视购物", "电话购物", "邮购", "app",
}

// noAddressWords are answers that give no location at all: a consumer who
// cannot name a shop's place usually bought at a distance.
var noAddressWords = map[string]bool{
	"没有": true, "不知道": true, "不清楚": true, "不详": true, "未知": true, "无地址": true,
}

// returnDemandWords in the demand make it a return demand.
var returnDemandWords = []string{"退货", "退款"}

// sevenDayWindow is the rule's seven days, counted from the purchase date the
// consumer gave (receipt is usually later, so this errs towards telling).
const sevenDayWindow = 7

// distancePurchase reports whether the address answer names an online shop or
// platform or gives no location.
func distancePurchase(address string) bool {
	a := strings.ToLower(strings.TrimSpace(halfWidth(address)))
	if a == "" || noAddressWords[a] {
		return true
	}
	for _, w := range distanceWords {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

// returnDemand reports whether the demand asks for a return or a refund.
func returnDemand(demand string) bool {
	for _, w := range returnDemandWords {
		if strings.Contains(demand, w) {
			return true
		}
	}
	return false
}

// withinSevenDays reports whether the purchase date lies at most seven days
// before today.
func withinSevenDays(purchase string, now time.Time) bool {
	d, err := time.ParseInLocation(time.DateOnly, purchase, shanghai)
	if err != nil {
		return false
	}
	days := int(dayOf(now).Sub(d).Hours() / 24)
	return days >= 0 && days <= sevenDayWindow
}

// sevenDayReturn reports whether the draft is a distance purchase within seven
// days with a return or refund demand.
func (t *turn) sevenDayReturn() bool {
	d := t.st.Draft
	return d.Demand != "" && returnDemand(d.Demand) && d.PurchaseDate != "" &&
		withinSevenDays(d.PurchaseDate, t.env.Now) && distancePurchase(d.MerchantAddress)
}

// noteSevenDayReturn tells the rule once per draft, when the draft first
// qualifies (after the demand, or an edit that completes the picture).
func (t *turn) noteSevenDayReturn() {
	if t.st.Draft.SevenDayNoticed || !t.sevenDayReturn() {
		return
	}
	t.st.Draft.SevenDayNoticed = true
	t.say(msgSevenDayReturn)
}
