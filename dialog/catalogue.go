package dialog

import (
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// Settings are the association's details and wording overrides, from configuration.
type Settings struct {
	OrgName      string // e.g. 某市消费者委员会; 消费者协会 when empty
	Hotline      string // shown in help and fallbacks; sentences about it are left out when empty
	ServiceHours string // e.g. 工作日 9:00-17:00; shown next to the hotline

	// AcceptDays and MediationDays are the time limits told to consumers, in working
	// days: the decision to accept (7 when zero or negative) and mediation from
	// acceptance (45 when zero or negative), SAMR Order 20 arts. 14 and 21.
	AcceptDays    int
	MediationDays int

	// Overrides replaces default messages by key (see MessageKeys). Each value is a
	// text/template; every message may use {{.Org}}, {{.Hotline}}, {{.Hours}},
	// {{.AcceptDays}}, {{.MediationDays}} and {{.Unit}} besides its own fields, and
	// NewCatalogue refuses any other field name, in whatever branch it appears.
	// In messages about a filed case of a deployment with several units, Org,
	// Hotline and Hours are the case's unit's and Unit its name; elsewhere Unit is
	// empty.
	Overrides map[string]string

	// Logger reports a message that failed to render at run time, a bug the
	// load-time checks and tests exist to rule out; slog.Default() when nil.
	Logger *slog.Logger
}

// Defaults for Settings.
const (
	defaultOrgName       = "消费者协会" // when the configuration names no association
	defaultAcceptDays    = 7       // SAMR Order 20 art. 14
	defaultMediationDays = 45      // SAMR Order 20 art. 21
)

// Catalogue holds every sentence consumers read, parsed once at start-up. It is
// safe for concurrent use; only the organisation's details change after
// NewCatalogue (SetOrganisation, when an admin edits them). A nil *Catalogue speaks
// the default wording.
type Catalogue struct {
	templates map[string]*template.Template
	// defaults holds the default wording of the overridden messages, said instead
	// of an override that fails at run time.
	defaults map[string]*template.Template
	logger   *slog.Logger
	// base holds Org, Hotline, Hours, AcceptDays and MediationDays; it is replaced
	// whole, never changed in place, so readers need no lock.
	base atomic.Pointer[map[string]string]
	// units is the deployment's units (SetUnits), nil until set; replaced whole.
	units atomic.Pointer[storage.UnitTree]
	// fixed caches the messages without fields of their own (fixedText).
	fixed atomic.Pointer[fixedTexts]
}

// SetOrganisation replaces the association's name, hotline and service hours that
// the messages quote (an empty name means the default, 消费者协会; an empty hotline
// drops the sentences about it). The templates, whose field names NewCatalogue
// checked, do not change, so this cannot fail.
func (c *Catalogue) SetOrganisation(name, hotline, hours string) {
	old := *c.base.Load()
	next := baseFields(Settings{OrgName: name, Hotline: hotline, ServiceHours: hours})
	next["AcceptDays"], next["MediationDays"] = old["AcceptDays"], old["MediationDays"]
	c.base.Store(&next)
}

// NewCatalogue parses the default messages with the settings' overrides applied. It
// returns an error naming any unknown override key, and for an override that is
// empty, does not parse, uses a field its message does not have (naming the key and
// the field), fails on sample values or renders blank, so that mistakes surface
// at start-up rather than in a consumer's chat.
func NewCatalogue(s Settings) (*Catalogue, error) {
	if err := checkOverrideKeys(s.Overrides); err != nil {
		return nil, err
	}
	c := &Catalogue{
		templates: make(map[string]*template.Template, len(messages)),
		defaults:  make(map[string]*template.Template, len(s.Overrides)),
		logger:    s.Logger,
	}
	base := baseFields(s)
	c.base.Store(&base)
	for key, m := range messages {
		def, err := c.compile(key, m.text, m.fields)
		if err != nil {
			return nil, fmt.Errorf("dialog: message %q: %w", key, err)
		}
		c.templates[key] = def
		if text, ok := s.Overrides[key]; ok {
			if c.templates[key], err = c.compile(key, text, m.fields); err != nil {
				return nil, fmt.Errorf("dialog: message override %q: %w", key, err)
			}
			c.defaults[key] = def
		}
	}
	return c, nil
}

// MessageKeys lists the keys Settings.Overrides accepts, sorted.
func MessageKeys() []string {
	keys := make([]string, 0, len(messages))
	for k := range messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// checkOverrideKeys refuses override keys that name no message and empty overrides,
// which would send consumers a blank reply.
func checkOverrideKeys(overrides map[string]string) error {
	var unknown []string
	for key, text := range overrides {
		if _, ok := messages[key]; !ok {
			unknown = append(unknown, key)
		} else if strings.TrimSpace(text) == "" {
			return fmt.Errorf("dialog: message override %q is empty", key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("dialog: unknown message keys in overrides: %s", strings.Join(unknown, ", "))
	}
	return nil
}

// baseFieldNames are the fields of baseFields, which every message may use.
var baseFieldNames = []string{"Org", "Hotline", "Hours", "AcceptDays", "MediationDays", "Unit"}

// baseFields are the settings every message may use.
func baseFields(s Settings) map[string]string {
	org := strings.TrimSpace(s.OrgName)
	if org == "" {
		org = defaultOrgName
	}
	return map[string]string{
		"Org":           org,
		"Hotline":       strings.TrimSpace(s.Hotline),
		"Hours":         strings.TrimSpace(s.ServiceHours),
		"AcceptDays":    strconv.Itoa(orDefault(s.AcceptDays, defaultAcceptDays)),
		"MediationDays": strconv.Itoa(orDefault(s.MediationDays, defaultMediationDays)),
		// Unit is the name of the case's unit in messages about a filed case when
		// the deployment has several units (see forUnit), else empty.
		"Unit": "",
	}
}

// orDefault returns n, or def when n is not positive.
func orDefault(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// chatCategory is one entry of the chat's short list of categories: the words
// consumers read, and the level-1 category of the China Consumers Association's
// tree (storage.Categories) the case is filed under. Staff may re-classify.
type chatCategory struct {
	Label    string
	Category string
}

// chatCategories is the short list offered in the chat: the classes consumers
// complain about most, in words they recognise, and 其他 last. Every Category is
// a level-1 name of the tree (a test checks).
var chatCategories = []chatCategory{
	{"家用电器、手机电脑", "家用电子电器"},
	{"日用品、化妆品", "日用商品"},
	{"服装鞋帽", "服装鞋帽"},
	{"食品", "食品"},
	{"汽车/交通工具", "交通工具"},
	{"房屋及建材", "房屋及建材"},
	{"网络服务（游戏、直播、会员等）", "互联网服务"},
	{"教育培训", "教育培训服务"},
	{"电信服务（话费、宽带）", "电信服务"},
	{"装修、物业", "房屋装修及物业服务"},
	{"生活服务（餐饮、美容、家政等）", "生活社会服务"},
	{"金融服务（银行、支付、贷款）", "金融服务"},
	{"其他", "其他"},
}

// categoryLabels are the short list's labels, in menu order.
var categoryLabels = func() []string {
	out := make([]string, len(chatCategories))
	for i, c := range chatCategories {
		out[i] = c.Label
	}
	return out
}()

// pickCategory reads the consumer's choice: a number or label of the short list,
// or any name the category tree knows (storage.CategoryOf: "交通工具", "汽车",
// "保险服务", "手机"), and returns the level-1 category to file the case under.
func pickCategory(text string) (string, bool) {
	if label, ok := pickOption(categoryLabels, text); ok {
		return chatCategories[slices.Index(categoryLabels, label)].Category, true
	}
	s := commandText(text)
	if isDigits(halfWidth(s)) {
		return "", false
	}
	if c := storage.CategoryOf(s); c != storage.CategoryOther || s == storage.CategoryOther {
		return c, true
	}
	return "", false
}

// demands are the numbered demands offered; 其他 asks for free text.
var demands = []string{"退货", "换货", "退款", "维修", "赔偿", "其他"}

// otherChoice is the last entry of both lists.
const otherChoice = "其他"

// Categories returns the labels of the complaint categories offered in the chat,
// in menu order.
func (c *Catalogue) Categories() []string { return slices.Clone(categoryLabels) }

// CategoryOf returns the level-1 category a label of the chat's list files
// under, or false for a label not on the list.
func (c *Catalogue) CategoryOf(label string) (string, bool) {
	for _, cc := range chatCategories {
		if cc.Label == label {
			return cc.Category, true
		}
	}
	return "", false
}

// numbered renders a list as "1. a" lines for the menus.
func numbered(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%d. %s", i+1, it)
	}
	return b.String()
}

// Welcome greets a new follower with the menu and a privacy summary.
func (c *Catalogue) Welcome() string { return c.text(msgWelcome) }

// Help lists the commands and how to reach the association.
func (c *Catalogue) Help() string { return c.text(msgHelp) }

// Busy says the service cannot answer right now. It starts with exactly
// "系统繁忙，请稍后再试" unless overridden.
func (c *Catalogue) Busy() string { return c.text(msgBusy) }

// BusyResend says a message was not handled at all (the webhook could not check
// it) and asks the consumer to send it again. It starts like Busy.
func (c *Catalogue) BusyResend() string { return c.text(msgBusyResend) }

// Unsupported says a message type (video, file, link, sticker…) cannot be handled.
func (c *Catalogue) Unsupported() string { return c.text(msgUnsupported) }

// Submitted confirms a filed case with its number and what happens next.
func (c *Catalogue) Submitted(cs *storage.Case) string {
	c = c.forUnit(cs.UnitID)
	return c.text(msgSubmitted, "Number", cs.Number, "Date", caseDate(cs))
}

// CaseList lists the consumer's cases (number, status, merchant, date), or says
// there are none and how to file one. Under each case that has one it shows the
// start of the mediator's latest reply: replies maps case IDs to their latest
// storage.EventStaffReply, and a case missing from it (or a nil map) has none.
func (c *Catalogue) CaseList(cases []*storage.Case, replies map[int64]*storage.Event) string {
	items := make([]string, 0, len(cases))
	for _, cs := range cases {
		if cs == nil {
			continue
		}
		item := c.text(msgCaseListItem, caseFields(cs)...)
		if r := replies[cs.ID]; hasReply(r) {
			body, _ := shortenReply(strings.Join(strings.Fields(r.Body), " "), listReplyMax)
			item += "\n" + c.text(msgCaseListReply, "Time", replyTime(r), "Reply", body)
		}
		items = append(items, item)
	}
	if len(items) == 0 {
		return c.text(msgCaseListEmpty)
	}
	first := cases[slices.IndexFunc(cases, func(cs *storage.Case) bool { return cs != nil })]
	return c.text(msgCaseList, "Count", strconv.Itoa(len(items)),
		"Items", strings.Join(items, "\n\n"), "Example", first.Number)
}

// CaseDetail shows one case. It leaves out the complainant's name and phone, which
// the consumer knows and which need not travel again. reply is the case's latest
// storage.EventStaffReply, nil if it has none: it is shown in full (up to
// detailReplyMax characters) with, while the case is open, how to answer it. A
// template message outside WeChat's 48-hour window cannot carry the reply's words,
// so this is where the consumer reads them.
func (c *Catalogue) CaseDetail(cs *storage.Case, reply *storage.Event) string {
	c = c.forUnit(cs.UnitID)
	detail := c.text(msgCaseDetail, caseFields(cs)...)
	if !hasReply(reply) {
		return detail
	}
	body, total := shortenReply(strings.TrimSpace(reply.Body), detailReplyMax)
	length, open := "", ""
	if total > 0 {
		length = strconv.Itoa(total)
	}
	if !cs.Status.Final() {
		open = "1"
	}
	return detail + "\n\n" + c.text(msgCaseDetailReply, "Number", cs.Number, "Time", replyTime(reply),
		"Reply", body, "Len", length, "Shown", strconv.Itoa(detailReplyMax), "Open", open)
}

// MaterialAsked is the paragraph the case detail adds for a case in 待补正: what
// the mediator asked for and how to send it; "" when material is unknown.
func (c *Catalogue) MaterialAsked(cs *storage.Case, material string) string {
	if strings.TrimSpace(material) == "" {
		return ""
	}
	c = c.forUnit(cs.UnitID)
	return "\n\n" + c.text(msgCaseDetailMaterial, "Number", cs.Number, "Material", material)
}

// Lengths of a mediator's reply in the case messages, in characters. The list
// holds up to queryListLimit cases in one chat bubble; the detail keeps most of a
// reply (staff may write 600) while leaving room for the case's fields.
const (
	listReplyMax   = 60
	detailReplyMax = 400
)

// hasReply reports whether ev is a staff reply with words to show.
func hasReply(ev *storage.Event) bool {
	return ev != nil && ev.Kind == storage.EventStaffReply && strings.TrimSpace(ev.Body) != ""
}

// replyTime is when the reply was written, in China, as "01-02 15:04".
func replyTime(ev *storage.Event) string {
	return ev.CreatedAt.In(shanghai).Format("01-02 15:04")
}

// shortenReply shortens a reply to at most max characters, adding "…" when it cuts.
// total is the reply's length when it was cut, 0 when it was not.
func shortenReply(s string, max int) (short string, total int) {
	n := utf8.RuneCountInString(s)
	if n <= max {
		return s, 0
	}
	return strings.TrimRightFunc(string([]rune(s)[:max]), unicode.IsSpace) + "…", n
}

// CaseNotFound says there is no case with that number among the consumer's.
func (c *Catalogue) CaseNotFound(number string) string {
	return c.text(msgCaseNotFound, "Number", number)
}

// caseFields are the fields of the case messages.
func caseFields(cs *storage.Case) []string {
	return []string{
		"Number", cs.Number, "Status", cs.Status.Label(), "Category", cs.Category,
		"Merchant", cs.MerchantName, "PurchaseDate", cs.PurchaseDate,
		"Amount", formatYuan(cs.AmountFen), "Demand", cs.Demand, "Date", caseDate(cs),
	}
}

// caseDate is the submission day in China.
func caseDate(cs *storage.Case) string {
	if cs.CreatedAt.IsZero() {
		return ""
	}
	return cs.CreatedAt.In(shanghai).Format("2006-01-02")
}

// formatYuan renders fen as "1,299.00元".
func formatYuan(fen int64) string {
	digits := strconv.FormatInt(fen/100, 10)
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return fmt.Sprintf("%s.%02d元", b.String(), fen%100)
}

// summaryDescriptionMax shortens the description in the summary: WeChat refuses
// over-long text replies, and the consumer wrote it minutes ago.
const summaryDescriptionMax = 200

// summary renders the draft for confirmation, numbered 1..10 as 修改 N expects,
// and 11, the unit, when there are several (see draftUnit).
func (c *Catalogue) summary(d Draft) string {
	photos, voices := d.evidenceCounts()
	desc := d.Description
	if n := utf8.RuneCountInString(desc); n > summaryDescriptionMax {
		desc = string([]rune(desc)[:summaryDescriptionMax]) + "…（共" + strconv.Itoa(n) + "字）"
	}
	return c.text(msgSummary,
		"Category", d.Category, "Merchant", d.MerchantName, "Address", d.MerchantAddress,
		"Date", d.PurchaseDate, "Amount", formatYuan(d.AmountFen), "Description", desc,
		"Demand", d.Demand, "Photos", strconv.Itoa(photos), "Voices", strconv.Itoa(voices),
		"Name", d.Name, "Phone", d.Phone, "ChosenUnit", c.draftUnit(d))
}

// defaultCatalogue serves an Env without a Catalogue (tests, tools). The defaults
// are tested, so the panic cannot happen in a released binary.
var defaultCatalogue = sync.OnceValue(func() *Catalogue {
	c, err := NewCatalogue(Settings{})
	if err != nil {
		panic(err)
	}
	return c
})
