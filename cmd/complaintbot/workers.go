package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/complaintbot/complaintbot/bot"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/blobdir"
)

// apiConfig is how this instance reaches the WeChat API: the real one, or the
// simulator's endpoints in this same process.
func (m *Main) apiConfig() bot.APIConfig {
	account := m.wechatAccount()
	base := m.Config.WeChat.APIBase
	if m.Config.SimulatorMode() {
		base = m.localURL() + simAPIPrefix
	}
	return bot.APIConfig{
		AppID: account.AppID, AppSecret: account.AppSecret, APIBase: base,
		UseStableToken: m.Config.WeChat.UseStableToken,
		HTTP:           &http.Client{Timeout: 10 * time.Second},
	}
}

// newAPIClient builds the outbound WeChat client; its access token lives in Redis
// so every instance shares one.
func (m *Main) newAPIClient() *bot.APIClient {
	cfg := m.apiConfig()
	tokens := bot.NewRedisTokenSource(m.Redis, cfg, bot.RedisTokenOptions{})
	return bot.NewAPIClient(cfg, tokens, m.Logger)
}

// blobStore is where evidence bytes go: a directory when configured, else the
// database. It is opened once; the console and the fetcher share it.
func (m *Main) blobStore() (storage.BlobStore, error) {
	if m.blobs != nil {
		return m.blobs, nil
	}
	if m.Config.Evidence.Dir == "" {
		m.blobs = m.DB
		return m.DB, nil
	}
	store, err := blobdir.New(m.Config.Evidence.Dir)
	if err != nil {
		return nil, fmt.Errorf("evidence directory: %w", err)
	}
	m.closeBlobs, m.blobs = store.Close, store
	return store, nil
}

// startWorkers runs the outbox delivery and the evidence download in the
// background until Close.
func (m *Main) startWorkers(catalogue *dialog.Catalogue, reg prometheus.Registerer) error {
	blobs, err := m.blobStore()
	if err != nil {
		return err
	}
	cfg := m.Config
	if cfg.WeChat.Template.ID == "" && !cfg.SimulatorMode() {
		m.Logger.Warn("no wechat.template.id: notices outside the 48-hour window will be marked dead")
	}
	t := cfg.WeChat.Template
	pusher := bot.NewPusher(bot.PushConfig{
		Workers: cfg.Push.Workers, MaxAge: time.Duration(cfg.Push.MaxAge),
		PollInterval: time.Duration(cfg.Push.PollInterval),
		Template: bot.Template{ID: m.templateID(), CaseNumberField: t.CaseNumberField,
			StatusField: t.StatusField, TimeField: t.TimeField, SummaryField: t.SummaryField},
	}, m.DB, m.API, catalogue.Notice, m.Logger, bot.NewPushMetrics(reg))
	fetcher := bot.NewEvidenceFetcher(bot.EvidenceConfig{MaxBytes: cfg.Evidence.MaxBytes}, m.DB, blobs, m.API, m.Logger)

	ctx, cancel := context.WithCancel(context.Background())
	m.stopWorkers = cancel
	m.workers.Go(func() { pusher.Run(ctx) })
	m.workers.Go(func() { fetcher.Run(ctx) })
	m.workers.Go(func() { m.refreshOrgSettings(ctx, m.orgSettings) })
	return nil
}

// templateID is the configured template, or in simulator mode a stand-in so the
// fallback can be seen working at /sim.
func (m *Main) templateID() string {
	if m.Config.SimulatorMode() && m.Config.WeChat.Template.ID == "" {
		return "SIMULATED_CASE_NOTICE"
	}
	return m.Config.WeChat.Template.ID
}
