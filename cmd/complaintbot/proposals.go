package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/storage"
)

// overduePoll is how often each instance looks for referrals to the settlement
// platform whose merchant clock has run out.
const overduePoll = 5 * time.Minute

// overdueReturner takes back to the association's mediation queue the cases
// whose merchant did not answer on the platform by the merchant clock's last
// day, and chases the proposals consumers leave unanswered (asked once more,
// then the case goes back too). Every instance runs one; the store re-checks
// each case under its lock, so a case moves once however many instances look
// at the same moment.
type overdueReturner struct {
	store  storage.ProposalStore
	chase  storage.ProposalChase
	now    func() time.Time
	logger *slog.Logger
}

// proposalChase is the configured waits for a consumer's answer to a proposal.
func proposalChase(w configs.CaseworkConfig) storage.ProposalChase {
	const day = 24 * time.Hour
	return storage.ProposalChase{RemindAfter: time.Duration(w.ProposalAnswerDays) * day,
		ReturnAfter: time.Duration(w.ProposalReturnDays) * day}
}

// overdueZone is the zone the merchant clock's days are counted in.
var overdueZone = time.FixedZone("CST", 8*3600)

// returnDue moves every overdue case, reminds and returns the unanswered
// proposals, and returns how many cases it moved. Errors are logged: the next
// tick tries again.
func (o *overdueReturner) returnDue(ctx context.Context) int {
	today := o.now().In(overdueZone).Format(time.DateOnly)
	n, err := o.store.ReturnOverdueReferrals(ctx, today)
	if err != nil {
		o.logger.Warn("overdue platform referrals not returned", "err", err)
	}
	if n > 0 {
		o.logger.Info("overdue platform referrals returned to mediation", "count", n)
	}
	reminded, returned, err := o.store.ChaseUnansweredProposals(ctx, o.now(), o.chase)
	if err != nil {
		o.logger.Warn("unanswered proposals not chased", "err", err)
	}
	if reminded > 0 || returned > 0 {
		o.logger.Info("unanswered proposals chased", "reminded", reminded, "returned", returned)
	}
	return n + returned
}

// run looks at start and then every overduePoll until ctx ends.
func (o *overdueReturner) run(ctx context.Context) {
	o.returnDue(ctx)
	onEveryTick(ctx, overduePoll, func() { o.returnDue(ctx) })
}
