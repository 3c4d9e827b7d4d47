package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// Defaults of EvidenceConfig.
const (
	DefaultEvidenceMaxBytes = 10 << 20 // WeChat's own limit for images
	DefaultEvidenceBatch    = 4
	DefaultEvidenceLease    = 2 * time.Minute
	// MediaLifetime is how long WeChat keeps temporary media; retrying after it
	// has passed is pointless.
	MediaLifetime = 72 * time.Hour
)

// MediaDownloader is what the evidence fetcher needs of the WeChat API.
type MediaDownloader interface {
	DownloadMedia(ctx context.Context, mediaID string, maxBytes int64) (contentType string, data []byte, err error)
}

// EvidenceConfig configures the evidence fetcher.
type EvidenceConfig struct {
	MaxBytes     int64
	Batch        int
	Lease        time.Duration
	BaseBackoff  time.Duration
	MaxBackoff   time.Duration
	PollInterval time.Duration
	Now          func() time.Time
}

func (c EvidenceConfig) withDefaults() EvidenceConfig {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultEvidenceMaxBytes
	}
	if c.Batch <= 0 {
		c.Batch = DefaultEvidenceBatch
	}
	if c.Lease <= 0 {
		c.Lease = DefaultEvidenceLease
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = 30 * time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 2 * time.Hour
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// allowedEvidenceTypes are the media types consumers send as evidence: photos and
// WeChat voice (AMR or Speex). Anything else is refused rather than stored.
var allowedEvidenceTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"audio/amr": true, "audio/speex": true, "audio/x-speex": true, "audio/mpeg": true,
}

// EvidenceFetcher downloads evidence media right after a case is filed, because
// WeChat deletes temporary media after 3 days. It hashes the bytes, stores them in
// a BlobStore under their SHA-256 and records the result.
type EvidenceFetcher struct {
	cfg   EvidenceConfig
	store storage.EvidenceStore
	blobs storage.BlobStore
	api   MediaDownloader
	log   *slog.Logger
}

// NewEvidenceFetcher builds an EvidenceFetcher.
func NewEvidenceFetcher(cfg EvidenceConfig, store storage.EvidenceStore, blobs storage.BlobStore,
	api MediaDownloader, log *slog.Logger) *EvidenceFetcher {
	return &EvidenceFetcher{cfg: cfg.withDefaults(), store: store, blobs: blobs, api: api, log: log}
}

// Run fetches until ctx is cancelled.
func (f *EvidenceFetcher) Run(ctx context.Context) {
	drainLoop(ctx, f.cfg.Batch, f.cfg.PollInterval, f.FetchOnce, f.log)
}

// FetchOnce claims one batch of pending evidence and downloads it.
func (f *EvidenceFetcher) FetchOnce(ctx context.Context) (int, error) {
	batch, err := f.store.ClaimEvidence(ctx, f.cfg.Batch, f.cfg.Lease)
	if err != nil {
		return 0, fmt.Errorf("claim evidence: %w", err)
	}
	var wg sync.WaitGroup
	for _, ev := range batch {
		wg.Go(func() { f.fetch(context.WithoutCancel(ctx), ev) })
	}
	wg.Wait()
	return len(batch), nil
}

// errBadMedia marks failures that retrying cannot fix; errOurSide marks failures of
// our own storage, which retrying can.
var (
	errBadMedia = errors.New("unusable media")
	errOurSide  = errors.New("evidence storage failed")
)

func (f *EvidenceFetcher) fetch(ctx context.Context, ev *storage.Evidence) {
	d, err := f.download(ctx, ev)
	switch {
	case err == nil:
		err = f.store.MarkEvidenceDownloaded(ctx, ev.ID, ev.LeaseToken, d)
	case f.giveUp(ev, err):
		f.log.Warn("evidence download failed for good", "evidence", ev.ID, "case", ev.CaseID, "err", err)
		err = f.store.FailEvidence(ctx, ev.ID, ev.LeaseToken, err.Error())
	default:
		err = f.store.RetryEvidence(ctx, ev.ID, ev.LeaseToken, err.Error(), f.cfg.Now().Add(f.backoff(ev.Attempts)))
	}
	if err != nil {
		f.log.Error("evidence record failed", "evidence", ev.ID, "err", err)
	}
}

// download fetches, checks, hashes and stores one piece of evidence.
func (f *EvidenceFetcher) download(ctx context.Context, ev *storage.Evidence) (storage.DownloadedEvidence, error) {
	header, data, err := f.api.DownloadMedia(ctx, ev.MediaID, f.cfg.MaxBytes)
	if err != nil {
		return storage.DownloadedEvidence{}, err
	}
	ctype := evidenceType(header, data)
	if !allowedEvidenceTypes[ctype] {
		return storage.DownloadedEvidence{}, fmt.Errorf("%w: content type %q", errBadMedia, ctype)
	}
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	key := "sha256/" + hexSum
	if err := f.blobs.PutBlob(ctx, key, data); err != nil {
		return storage.DownloadedEvidence{}, fmt.Errorf("%w: %w", errOurSide, err)
	}
	return storage.DownloadedEvidence{ContentType: ctype, Size: int64(len(data)), SHA256: hexSum, BlobKey: key}, nil
}

// evidenceType trusts the bytes over the header (a header can lie): a photo must
// sniff as an image. Voice formats are not sniffable, so for audio the header
// decides.
func evidenceType(header string, data []byte) string {
	sniffed, _, _ := mime.ParseMediaType(http.DetectContentType(data))
	mt, _, err := mime.ParseMediaType(header)
	if strings.HasPrefix(sniffed, "image/") || err != nil || !strings.HasPrefix(mt, "audio/") {
		return sniffed
	}
	return mt
}

// giveUp says whether retrying is pointless: the media is unusable or gone, the
// error is not transient, or WeChat has deleted the media by now anyway.
func (f *EvidenceFetcher) giveUp(ev *storage.Evidence, err error) bool {
	switch {
	case errors.Is(err, errBadMedia) || f.cfg.Now().After(ev.CreatedAt.Add(MediaLifetime)):
		return true
	case errors.Is(err, errOurSide):
		return false
	}
	return !IsRetryable(err) && !IsTokenError(err) // e.g. 40007 invalid media_id, too large
}

func (f *EvidenceFetcher) backoff(attempts int) time.Duration {
	d := f.cfg.BaseBackoff << min(max(attempts-1, 0), 20)
	return min(d, f.cfg.MaxBackoff)
}
