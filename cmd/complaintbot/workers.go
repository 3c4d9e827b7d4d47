package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// newPusher builds the outbox delivery: case notices sent through the WeChat
// API, as customer-service messages or, outside the 48-hour window, as template
// messages.
func newPusher(cfg configs.Config, db *sqlstore.DB, api *bot.APIClient, catalogue *dialog.Catalogue,
	logger *slog.Logger, reg prometheus.Registerer, now func() time.Time) *bot.Pusher {
	if cfg.WeChat.Template.ID == "" && !cfg.SimulatorMode() {
		logger.Warn("no wechat.template.id: notices outside the 48-hour window will be marked dead")
	}
	t := cfg.WeChat.Template
	return bot.NewPusher(bot.PushConfig{
		Workers: cfg.Push.Workers, MaxAge: time.Duration(cfg.Push.MaxAge),
		PollInterval: time.Duration(cfg.Push.PollInterval), Now: now,
		Template: bot.Template{ID: templateID(cfg), CaseNumberField: t.CaseNumberField,
			StatusField: t.StatusField, TimeField: t.TimeField, SummaryField: t.SummaryField},
	}, db, api, catalogue.Notice, logger, bot.NewPushMetrics(reg))
}

// startWorkers runs the outbox delivery, the evidence download, the refresh of
// the organisation settings, the payment questions of mediation agreements and
// the return of overdue platform referrals, the daily retention run and the
// retry of erased consumers' dialog forgets in the background until Close.
func (m *Main) startWorkers(pusher *bot.Pusher, fetcher *bot.EvidenceFetcher) {
	ctx, cancel := context.WithCancel(context.Background())
	m.stopWorkers = cancel
	m.workers.Go(func() { pusher.Run(ctx) })
	m.workers.Go(func() { fetcher.Run(ctx) })
	m.workers.Go(func() { m.refreshOrgSettings(ctx, m.orgSettings) })
	m.workers.Go(func() { m.refreshCalendar(ctx) })
	m.workers.Go(func() { m.refreshUnits(ctx) })
	asker := &paymentAsker{store: m.DB, answerWait: paymentAnswerWait(m.Config.Casework), now: m.now, logger: m.Logger}
	m.workers.Go(func() { asker.run(ctx) })
	overdue := &overdueReturner{store: m.DB, chase: proposalChase(m.Config.Casework), now: m.now, logger: m.Logger}
	m.workers.Go(func() { overdue.run(ctx) })
	retention := newRetentionJob(m.DB, m.blobs, m.now, time.Duration(m.Config.Privacy.RetentionPoll), m.Logger)
	m.workers.Go(func() { retention.run(ctx) })
	if m.dialogStore != nil {
		forgets := newForgetJob(m.DB, m.dialogStore, m.now, m.Logger)
		m.workers.Go(func() { forgets.run(ctx) })
	}
}

// templateID is the configured template, or in simulator mode a stand-in so the
// fallback can be seen working at /sim.
func templateID(cfg configs.Config) string {
	if cfg.SimulatorMode() && cfg.WeChat.Template.ID == "" {
		return "SIMULATED_CASE_NOTICE"
	}
	return cfg.WeChat.Template.ID
}

// onEveryTick calls fn every interval until ctx ends: the shape of every
// "each instance picks a change up within a minute" refresh.
func onEveryTick(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}
