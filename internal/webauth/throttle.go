package webauth

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// LoginKeys are the throttle keys of a sign-in attempt (or of a password check
// of a signed-in person: a borrowed session could guess too). The tight limit is
// on the pair (this account from this address): failures from an attacker's
// address then lock out that address for that account, not the owner signing in
// from their own. The address's key bounds one address guessing across
// accounts; the account's key is a much higher ceiling that stops guessing
// spread over many addresses (at the price that such an attack can lock the
// owner out too).
type LoginKeys struct {
	ip, pair, user string
}

// all is the keys in the order they are reserved: the address first, so that a
// throttled address cannot use up the account's attempts; the account-wide
// ceiling last, so that only attempts every narrower limit let through count
// against it.
func (k LoginKeys) all() []string {
	return []string{k.ip, k.pair, k.user}
}

// ThrottleKeys returns the throttle keys of an attempt on username (normalized)
// from address ip (see ClientIP). An IP address holds no "/", so the pair key
// cannot be read two ways. Two surfaces whose usernames may coincide need
// different throttles (storage.LoginThrottle key prefixes), not different keys.
func ThrottleKeys(username, ip string) LoginKeys {
	const maxKey = 64 // junk typed into the form must not make huge Redis keys
	if len(username) > maxKey {
		username = username[:maxKey]
	}
	return LoginKeys{ip: "ip:" + ip, pair: "userip:" + ip + "/" + username, user: "user:" + username}
}

// ReserveAttempt reserves the attempt on each key in turn, before any password
// is checked, and returns how long the caller must wait before trying again; 0
// if the attempt may go on to the password check. Reserving first means that
// parallel guesses cannot all pass the throttle before any was counted, and a
// throttled guess learns nothing. An attempt refused by one key gives back what
// the keys before it reserved: no password was checked. A throttle that cannot
// be asked refuses: failing open would let a Redis outage open the door to
// unlimited guessing.
//
// After the password check: a wrong password leaves the reservation counted (it
// was the failure); a right one calls LoginSucceeded; a check that could not be
// made (a store error) calls ReleaseAttempt.
func (a *Auth) ReserveAttempt(ctx context.Context, keys LoginKeys) (time.Duration, error) {
	all := keys.all()
	for i, key := range all {
		ok, wait, err := a.cfg.Throttle.ReserveLogin(ctx, key)
		if err != nil || !ok {
			for _, done := range all[:i] {
				a.releaseKey(ctx, done)
			}
			return max(wait, time.Second), err
		}
	}
	return 0, nil
}

// ReleaseAttempt gives back every reservation of an attempt whose password was
// not checked.
func (a *Auth) ReleaseAttempt(ctx context.Context, keys LoginKeys) {
	for _, key := range keys.all() {
		a.releaseKey(ctx, key)
	}
}

// releaseKey gives back one reservation; failing to is only logged (it costs the
// key one attempt until its window ends).
func (a *Auth) releaseKey(ctx context.Context, key string) {
	if err := a.cfg.Throttle.ReleaseLogin(ctx, key); err != nil {
		a.cfg.Logger.Warn("login throttle reservation not released", "err", err)
	}
}

// LoginSucceeded forgets the failures of this account from this address (the
// owner's own typos) and gives the address and the account-wide ceiling back
// this attempt only: forgetting their failures would let one valid account reset
// the address's count between guesses at others, or the owner's sign-in reset
// the count of a guessing spread over many addresses. Failing is only logged.
func (a *Auth) LoginSucceeded(ctx context.Context, keys LoginKeys) {
	if err := a.cfg.Throttle.LoginSucceeded(ctx, keys.pair); err != nil {
		a.cfg.Logger.Warn("login throttle not reset", "err", err)
	}
	a.releaseKey(ctx, keys.ip)
	a.releaseKey(ctx, keys.user)
}

// ThrottledMessage tells a throttled person how long to wait, in whole minutes,
// in Chinese.
func ThrottledMessage(wait time.Duration) string {
	minutes := max(int((wait+time.Minute-1)/time.Minute), 1)
	return fmt.Sprintf("尝试次数过多，请 %d 分钟后再试。", minutes)
}

// RetryAfter is the Retry-After header's value for a throttled attempt, in
// whole seconds, rounded up.
func RetryAfter(wait time.Duration) string {
	return strconv.Itoa(int(wait.Seconds() + 1))
}
