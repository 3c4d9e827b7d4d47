package bot

import "time"

// turnWorkerIdle is how long a worker that finished a turn waits for the next
// one before it exits.
const turnWorkerIdle = 10 * time.Second

// turnWorkers runs turns on reused goroutines. A turn runs on a goroutine of its
// own so that the reply budget can give up on it (runTurn); a fresh goroutine per
// message starts with a small stack and grows it again through go-redis, JSON and
// XML on every turn, which cost about a tenth of the webhook's CPU under load
// (runtime.copystack in the profile). A worker that finished a turn keeps its
// grown stack and waits a while for the next one. Go never waits: with no worker
// idle it starts one, so admission (admission.go) alone decides how many turns
// run at once.
type turnWorkers struct {
	work chan func()
	idle time.Duration
}

func newTurnWorkers(idle time.Duration) *turnWorkers {
	return &turnWorkers{work: make(chan func()), idle: idle}
}

// Go runs f on an idle worker, or on a new one when none is waiting.
func (p *turnWorkers) Go(f func()) {
	select {
	case p.work <- f:
	default:
		go p.worker(f)
	}
}

// worker runs f, then the turns handed to it until it has waited p.idle for one.
func (p *turnWorkers) worker(f func()) {
	idle := time.NewTimer(p.idle)
	defer idle.Stop()
	for {
		f()
		idle.Reset(p.idle)
		select {
		case f = <-p.work:
		case <-idle.C:
			return
		}
	}
}
