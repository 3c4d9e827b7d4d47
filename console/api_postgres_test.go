package console_test

import (
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestAPIOnPostgres runs the tests whose answers depend on the store (filters,
// search, pagination, delivery states, the audit log, status moves) on
// PostgreSQL too. It skips without COMPLAINTBOT_TEST_POSTGRES_URL, and fails then
// in CI (COMPLAINTBOT_TEST_REQUIRE=1).
func TestAPIOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open) // skips or fails here when no server is configured
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	for name, test := range map[string]func(*testing.T){
		"ListPagination":     TestAPIListCasesPaginatesNewestFirstWithMaskedPhones,
		"ListFilters":        TestAPIListCasesFilters,
		"Detail":             TestAPICaseDetail,
		"StatusMoves":        TestAPIStatusMoves,
		"Reopen":             TestAPIReopen,
		"Reply":              TestAPIReplyQueuesANoticeLinkedToTheEvent,
		"DeliveryStates":     TestAPIDeliveryStates,
		"TemplateDelivery":   TestAPITemplateDeliveredReplyIsNotified,
		"IdempotentReply":    TestAPIReplyWithIdempotencyKeyIsSentOnce,
		"StaffList":          TestAPIStaffShowsAccountDetailsOnlyToAdmins,
		"Withdrawal":         TestAPIConsumerWithdrawalHasNoDelivery,
		"Assign":             TestAPIAssign,
		"Close":              TestAPIClose,
		"Material":           TestAPIRequestMaterialAndResume,
		"RevealPhone":        TestAPIRevealPhoneIsAudited,
		"DeletionRequests":   TestAPIDeletionRequests,
		"CaseDeletion":       TestAPICaseShowsPendingDeletion,
		"AuditLog":           TestAPIAuditLog,
		"RevokedToken":       TestAPIRevokedTokenAndDisabledAccount,
		"SessionAndOrigin":   TestAPISessionNeedsCSRFTokenAndSameOrigin,
		"PhoneSearchAudit":   TestPhoneSearchIsAudited,
		"PhoneSearchLimit":   TestPhoneSearchIsLimitedPerStaffMember,
		"UnitScope":          TestAPIScopesToTheCallersUnits,
		"UnitMovedElsewhere": TestAPIScopeFollowsAUnitMovedElsewhere,
		"ReferralResult":     TestAPIReferralResult,
	} {
		t.Run(name, test)
	}
}
