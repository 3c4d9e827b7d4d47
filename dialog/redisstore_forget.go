package dialog

import (
	"context"

	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// forgetBatch is how many keys one DEL takes when forgetting a consumer: a
// consumer who wrote thousands of messages in a day still costs a few round
// trips, none of them holding the server long.
const forgetBatch = 500

// ForgetConsumer deletes everything the dialog keeps on one consumer: the state
// with its draft (name, phone, what happened), the replies saved for WeChat's
// retries and their index. The replies are read from the index Commit keeps
// (one ZRANGE of at most a de-duplication TTL's messages), never found by
// scanning the node: this runs inside the consumer's 确认删除 turn. All the
// keys share the openid's hash tag, so each DEL goes to one Cluster slot. A
// reply saved after the ZRANGE (the consumer wrote again meanwhile) loses its
// index with the rest and expires with the de-duplication TTL. It returns how
// many keys it deleted.
func (s *RedisStore) ForgetConsumer(ctx context.Context, openID string) (int, error) {
	index := s.keys.Msgs(openID)
	var members []string
	err := s.call(ctx, func() error {
		var err error
		members, err = s.rdb.ZRange(ctx, index, 0, -1).Result()
		return err
	})
	if err != nil {
		return 0, redisbase.MapError(redisOp, err)
	}
	keys := make([]string, 0, len(members)+2)
	for _, m := range members {
		keys = append(keys, s.keys.Msg(openID, m))
	}
	// The state and the index go last, so a failure part-way leaves the index
	// naming what is left for a retry.
	keys = append(keys, s.keys.State(openID), index)
	deleted := 0
	for len(keys) > 0 {
		batch := keys[:min(forgetBatch, len(keys))]
		keys = keys[len(batch):]
		var n int64
		err := s.call(ctx, func() error {
			var err error
			n, err = s.rdb.Del(ctx, batch...).Result()
			return err
		})
		if err != nil {
			return deleted, redisbase.MapError(redisOp, err)
		}
		deleted += int(n)
	}
	return deleted, nil
}
