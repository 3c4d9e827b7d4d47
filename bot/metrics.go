package bot

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the webhook's Prometheus instruments.
type Metrics struct {
	Messages *prometheus.CounterVec   // inbound messages by WeChat type
	Replies  *prometheus.CounterVec   // replies by kind: text, success, busy, duplicate
	Errors   *prometheus.CounterVec   // failures by stage
	Latency  *prometheus.HistogramVec // time to answer WeChat, by outcome
}

// NewMetrics creates the instruments and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complaintbot_wechat_messages_total",
			Help: "Inbound WeChat messages and events accepted by the webhook, by type.",
		}, []string{"type"}),
		Replies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complaintbot_wechat_replies_total",
			Help: "Webhook answers by kind (text, success, busy, duplicate).",
		}, []string{"kind"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complaintbot_wechat_errors_total",
			Help: "Webhook requests refused or failed, by stage.",
		}, []string{"stage"}),
		Latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "complaintbot_wechat_reply_seconds",
			Help:    "Time from receiving a WeChat callback to answering it.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 3, 4, 4.5, 5},
		}, []string{"outcome"}),
	}
	reg.MustRegister(m.Messages, m.Replies, m.Errors, m.Latency)
	return m
}

// knownTypes bounds the label values of Messages, so a strange type cannot grow the
// metric without limit.
var knownTypes = map[string]bool{
	"text": true, "image": true, "voice": true, "video": true, "shortvideo": true,
	"location": true, "link": true, "event:subscribe": true, "event:unsubscribe": true,
	"event:CLICK": true, "event:VIEW": true, "event:SCAN": true, "event:LOCATION": true,
}

func typeLabel(t string) string {
	if knownTypes[t] {
		return t
	}
	return "other"
}

// PushMetrics are the outbox delivery's instruments.
type PushMetrics struct {
	Outcomes *prometheus.CounterVec // sent_custom, sent_template, retry, held, dead
	Lag      prometheus.Histogram   // from the notification's commit to its delivery
}

// NewPushMetrics creates the instruments and registers them on reg.
func NewPushMetrics(reg prometheus.Registerer) *PushMetrics {
	m := &PushMetrics{
		Outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "complaintbot_push_outcomes_total",
			Help: "Outbox delivery attempts by outcome (sent_custom, sent_template, retry, held, dead).",
		}, []string{"outcome"}),
		Lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "complaintbot_push_lag_seconds",
			Help:    "Time from a notification's commit to its delivery to WeChat.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2, 5, 10, 30, 60, 300, 1800},
		}),
	}
	reg.MustRegister(m.Outcomes, m.Lag)
	return m
}

func (m *PushMetrics) observeSent(via string, lag time.Duration) {
	m.Outcomes.WithLabelValues("sent_" + via).Inc()
	m.Lag.Observe(lag.Seconds())
}
