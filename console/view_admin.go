package console

import (
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// cannedView is the canned replies page. After a refused post it holds the
// message and what was typed: in New for the "add" form, in the edited reply's
// own entry of Replies (EditID) for a change.
type cannedView struct {
	Replies []*storage.CannedReply
	Error   string
	EditID  int64 // the reply whose change was refused, 0 for the "add" form
	New     storage.CannedReply
	// Inherited marks the replies of units above the staff member's: used
	// here, edited only there.
	Inherited map[int64]bool
}

// auditView is the audit log: the filter form, one page of entries, pagination.
type auditView struct {
	Staff   []option
	Actions []option
	Case    string
	From    string // "2006-01-02", China time
	To      string
	Rows    []auditRow
	Pager   pager
}

// auditRow is one entry of the audit log, with names instead of ids.
type auditRow struct {
	At         time.Time
	Staff      string
	Action     string
	CaseID     int64
	CaseNumber string // "" if the case was not found
	Detail     string
	IP         string
}

// auditActions names the audited actions in Chinese, in the order the filter
// offers them.
var auditActions = []struct{ Value, Label string }{
	{storage.AuditStatusChange, "改变状态"}, {storage.AuditReply, "回复消费者"},
	{storage.AuditNote, "内部备注"}, {storage.AuditAssign, "分配案件"},
	{storage.AuditOutcome, "结案"}, {storage.AuditRevealPhone, "查看完整手机号"},
	{storage.AuditPhoneSearch, "按完整手机号搜索"},
	{storage.AuditMarkRead, "标为已读"}, {storage.AuditCannedReply, "常用回复"},
	{storage.AuditTypicalCase, "典型案例"},
	{storage.AuditTransfer, "移交其他单位"},
	{storage.AuditAgreementSave, "拟定调解协议书"}, {storage.AuditAgreementIssue, "出具调解协议书"},
	{storage.AuditAgreementView, "查看/下载调解协议书"},
	{storage.AuditLogin, "登录"}, {storage.AuditLoginFailed, "登录失败"},
	{storage.AuditLogout, "退出"}, {storage.AuditStaffCreate, "新建员工"},
	{storage.AuditStaffPassword, "修改密码"}, {storage.AuditStaffDisable, "停用/启用员工"},
	{storage.AuditTokenCreate, "创建 API 令牌"}, {storage.AuditTokenRevoke, "吊销 API 令牌"},
	{storage.AuditStaffUpdate, "修改员工姓名/角色"}, {storage.AuditExport, "导出"},
}

// auditActionLabel names an action, or shows the raw value of an unknown one.
func auditActionLabel(action string) string {
	for _, a := range auditActions {
		if a.Value == action {
			return a.Label
		}
	}
	return action
}

// auditActionOptions offers the actions for the filter.
func auditActionOptions(selected string) []option {
	out := make([]option, 0, len(auditActions))
	for _, a := range auditActions {
		out = append(out, option{Value: a.Value, Label: a.Label, Selected: a.Value == selected})
	}
	return out
}
