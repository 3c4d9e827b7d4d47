package storage

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Audit actions of the merchant registry.
const (
	// AuditMerchant is creating or editing a merchant in the registry.
	AuditMerchant = "merchant"
	// AuditMerchantLink is linking a case to a merchant (confirming a
	// suggestion, correcting the link, or creating a merchant from the case).
	AuditMerchantLink = "merchant_link"
	// AuditMerchantMerge is merging a duplicate merchant into another.
	AuditMerchantMerge = "merchant_merge"
)

// The lengths of a merchant's fields, in characters.
const (
	MaxMerchantNameRunes    = 100
	MaxMerchantAddressRunes = 200
	MaxMerchantContactRunes = 50
	MaxMerchantAliases      = 20
)

// Merchant is one business in the registry. Merchants are system-wide, not of a
// unit: a chain or an online shop is complained about in many districts, and
// one record keeps its history together. What staff see of its cases is still
// limited by their unit scope.
//
// Its name, credit code and address are business data. The contact person's
// mobile is personal data: lists show it masked, like a consumer's phone.
type Merchant struct {
	ID            int64  `db:"id"`
	Name          string `db:"name"`
	CreditCode    string `db:"credit_code"` // 统一社会信用代码, 18 characters, or ""
	Address       string `db:"address"`
	ContactPerson string `db:"contact_person"`
	ContactPhone  string `db:"contact_phone"`
	// OnPlatform says the merchant has joined the settlement platform (入驻),
	// since PlatformSince (YYYY-MM-DD; "" when not on it).
	OnPlatform    bool   `db:"on_platform"`
	PlatformSince string `db:"platform_since"`
	// MergedInto is the merchant this duplicate was merged into, 0 for a live
	// record. Merged records are kept, never deleted.
	MergedInto int64     `db:"merged_into"`
	CreatedAt  time.Time `db:"created_at"`
	UpdatedAt  time.Time `db:"updated_at"`

	// Aliases are other names the merchant is known by (a shop's sign, a brand,
	// an old name); a case filed under one links as under the name.
	Aliases []string `db:"-"`
}

// MerchantInput is a merchant as a form submits it.
type MerchantInput struct {
	Name          string
	Aliases       []string
	CreditCode    string
	Address       string
	ContactPerson string
	ContactPhone  string
	OnPlatform    bool
	PlatformSince string // YYYY-MM-DD; required when OnPlatform
	By            By
	// CaseID, when not 0 on creation, is the case the merchant is created from:
	// it is linked to the new merchant in the same transaction.
	CaseID int64
}

// Normalise trims the fields, upper-cases the credit code and drops empty and
// repeated aliases (and an alias equal to the name).
func (in *MerchantInput) Normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	in.Address = strings.TrimSpace(in.Address)
	in.ContactPerson = strings.TrimSpace(in.ContactPerson)
	in.ContactPhone = strings.TrimSpace(in.ContactPhone)
	in.PlatformSince = strings.TrimSpace(in.PlatformSince)
	seen := map[string]bool{MerchantKey(in.Name): true}
	var aliases []string
	for _, a := range in.Aliases {
		a = strings.TrimSpace(a)
		if k := MerchantKey(a); k != "" && !seen[k] {
			seen[k] = true
			aliases = append(aliases, a)
		}
	}
	in.Aliases = aliases
	if !in.OnPlatform {
		in.PlatformSince = ""
	}
}

// Validate checks a normalised input; it returns an EINVALID *Error in Chinese
// for the form.
func (in *MerchantInput) Validate() error {
	switch {
	case in.Name == "":
		return Errorf(EINVALID, "请填写商家名称。")
	case utf8.RuneCountInString(in.Name) > MaxMerchantNameRunes:
		return Errorf(EINVALID, "商家名称最多 %d 个字。", MaxMerchantNameRunes)
	case in.CreditCode != "" && !ValidCreditCode(in.CreditCode):
		return Errorf(EINVALID, "统一社会信用代码“%s”无效：应为 18 位，且校验码正确。", in.CreditCode)
	case utf8.RuneCountInString(in.Address) > MaxMerchantAddressRunes:
		return Errorf(EINVALID, "地址最多 %d 个字。", MaxMerchantAddressRunes)
	case utf8.RuneCountInString(in.ContactPerson) > MaxMerchantContactRunes ||
		utf8.RuneCountInString(in.ContactPhone) > MaxMerchantContactRunes:
		return Errorf(EINVALID, "联系人和联系电话最多 %d 个字。", MaxMerchantContactRunes)
	case len(in.Aliases) > MaxMerchantAliases:
		return Errorf(EINVALID, "别名最多 %d 个。", MaxMerchantAliases)
	case in.OnPlatform && !validDay(in.PlatformSince):
		return Errorf(EINVALID, "已入驻的商家请填写入驻日期（年-月-日）。")
	}
	for _, a := range in.Aliases {
		if utf8.RuneCountInString(a) > MaxMerchantNameRunes {
			return Errorf(EINVALID, "别名最多 %d 个字。", MaxMerchantNameRunes)
		}
	}
	return nil
}

// validDay reports whether s is a date written YYYY-MM-DD.
func validDay(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// creditCodeChars are the characters of a 统一社会信用代码 in the order of their
// values (GB 32100-2015): digits and the capital letters without I, O, S, V, Z.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCodeWeights are the weights of the first 17 characters.
var creditCodeWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode reports whether code is a 统一社会信用代码 with a correct check
// digit (GB 32100-2015): 18 characters from creditCodeChars, the last being
// 31 − (Σ value×weight mod 31), where 31 stands for 0. It does not ask whether
// the code was ever issued.
func ValidCreditCode(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, code[i])
		if v < 0 {
			return false
		}
		sum += v * creditCodeWeights[i]
	}
	check := (31 - sum%31) % 31
	return code[17] == creditCodeChars[check]
}

// MerchantKey is the form of a name that matching compares: lower case, without
// spaces and common punctuation, full-width letters and digits folded to ASCII
// ("ＡＢＣ 超市（人民路店）" and "abc超市(人民路店)" share a key).
func MerchantKey(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= '！' && r <= '～' { // full-width ASCII
			r = r - '！' + '!'
			r = unicode.ToLower(r)
		}
		if unicode.IsSpace(r) || strings.ContainsRune("()（）·•.,，、-_'\"“”", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MerchantSimilarity is the Dice coefficient of the two keys' character bigrams
// (a key of one character counts as its own bigram): 1 for the same key, 0 for
// nothing in common. Chinese names are short and carry meaning in pairs of
// characters, which bigrams catch where trigrams miss.
func MerchantSimilarity(a, b string) float64 {
	ga, gb := bigrams(a), bigrams(b)
	if len(ga) == 0 || len(gb) == 0 {
		return 0
	}
	count := map[string]int{}
	for _, g := range ga {
		count[g]++
	}
	common := 0
	for _, g := range gb {
		if count[g] > 0 {
			count[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(ga)+len(gb))
}

// bigrams returns the key's character bigrams.
func bigrams(key string) []string {
	rs := []rune(key)
	if len(rs) == 1 {
		return []string{key}
	}
	var out []string
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// MerchantSuggestThreshold is the similarity from which a merchant is suggested
// for a case's typed name.
const MerchantSuggestThreshold = 0.4

// MerchantCandidate is a merchant suggested for a typed name, with how alike
// the closest of its name and aliases is (see MerchantSimilarity).
type MerchantCandidate struct {
	Merchant   *Merchant
	Similarity float64
	MatchedOn  string // the name or alias that matched
}

// MerchantFilter selects merchants of the registry; merged ones never show.
type MerchantFilter struct {
	// Search is part of the name, an alias or the credit code, in any case.
	Search     string
	OnPlatform *bool
	Offset     int
	Limit      int // 0 means 50, at most 200
}

// MerchantCaseStats are the figures of a merchant page over the cases a staff
// member may see.
type MerchantCaseStats struct {
	Cases     int
	Concluded int // cases finished (see Status.Final) or with an outcome
	// Settled is the concluded cases ended by a mediation agreement or a
	// settlement (OutcomeAgreement, OutcomeSettled).
	Settled int
	// Referrals counts the finished referrals to the merchant (periods of
	// 已转办 to MerchantReferral that ended), and ResponseTotal their summed
	// length: the average response time is ResponseTotal / Referrals.
	Referrals     int
	ResponseTotal time.Duration
}

// SettlementRate is Settled / Concluded, 0 with nothing concluded.
func (s MerchantCaseStats) SettlementRate() float64 {
	if s.Concluded == 0 {
		return 0
	}
	return float64(s.Settled) / float64(s.Concluded)
}

// AverageResponse is the mean length of a finished referral to the merchant,
// 0 with none.
func (s MerchantCaseStats) AverageResponse() time.Duration {
	if s.Referrals == 0 {
		return 0
	}
	return s.ResponseTotal / time.Duration(s.Referrals)
}

// MerchantStore keeps the merchant registry and the links of cases to it.
type MerchantStore interface {
	// CreateMerchant adds a merchant (and, with in.CaseID, links that case to
	// it with a timeline note), audited. EINVALID for bad fields or a missing
	// staff actor; ECONFLICT if another live merchant has the credit code;
	// ENOTFOUND for an unknown case.
	CreateMerchant(ctx context.Context, in MerchantInput) (*Merchant, error)
	// UpdateMerchant replaces a live merchant's fields and aliases, audited.
	// Errors as CreateMerchant; ECONFLICT also for a merged merchant.
	UpdateMerchant(ctx context.Context, id int64, in MerchantInput) (*Merchant, error)
	// FindMerchant returns a merchant (merged ones too) with its aliases, or
	// ENOTFOUND.
	FindMerchant(ctx context.Context, id int64) (*Merchant, error)
	// FindMerchants returns one page of live merchants matching the filter, by
	// name, and the total count.
	FindMerchants(ctx context.Context, f MerchantFilter) ([]*Merchant, int, error)
	// MatchMerchants returns the live merchants whose name or an alias is like
	// name (MerchantSimilarity at least MerchantSuggestThreshold), most alike
	// first, at most limit.
	MatchMerchants(ctx context.Context, name string, limit int) ([]MerchantCandidate, error)
	// LinkCaseMerchant links a case to a live merchant (correcting any link it
	// had), with a timeline note, audited. Linking the current merchant again
	// changes nothing. ENOTFOUND for an unknown case or merchant; ECONFLICT for
	// a merged merchant.
	LinkCaseMerchant(ctx context.Context, caseID, merchantID int64, by By) (*Case, error)
	// MergeMerchants merges duplicate dropID into keepID: its cases move to
	// keepID, its name and aliases become keepID's aliases, and it is marked
	// merged (kept, never deleted); audited. The kept merchant's own fields stay.
	// EINVALID for the same merchant twice; ENOTFOUND for an unknown one;
	// ECONFLICT if either is already merged.
	MergeMerchants(ctx context.Context, keepID, dropID int64, by By) (*Merchant, error)
	// MerchantStats counts a merchant's cases of the units (all when nil) for
	// its page.
	MerchantStats(ctx context.Context, merchantID int64, units []int64) (MerchantCaseStats, error)
}

// ReportMerchants are the registry's figures of a report (商家): the merchants
// on the settlement platform (入驻) now, and those of them that joined within
// the report's period. They count merchants, not cases, so they are the same
// for every unit.
//
// OnPlatformAtEnd is the platform's size at the end of the period as far as
// the registry can tell: the merchants on it now whose 入驻 day lies before the
// period's end. The registry keeps no date of leaving, so a merchant that has
// left since is not counted; for a period that ends in the future it equals
// OnPlatform unless a 入驻 day was entered ahead. The annual report prints it.
type ReportMerchants struct {
	OnPlatform      int
	NewOnPlatform   int
	OnPlatformAtEnd int
}
