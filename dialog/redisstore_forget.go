package dialog

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/redisbase"
)

// forgetScanCount is SCAN's COUNT hint when looking for a consumer's saved
// replies: the scan walks the whole node inside the consumer's turn, so each
// round trip takes a large step (a thousand keys cost Redis well under a
// millisecond) to keep a node of a million keys at a thousand round trips.
const forgetScanCount = 1000

// ForgetConsumer deletes everything the dialog keeps on one consumer: the state
// with its draft (name, phone, what happened) and the replies saved for WeChat's
// retries. All of a consumer's keys share the openid's hash tag, so they live on
// one node of a Cluster: the saved replies are found by SCAN on that node and
// deleted with the state in one DEL. A reply saved after the scan (the consumer
// wrote again meanwhile) expires with the de-duplication TTL. It returns how many
// keys it deleted.
func (s *RedisStore) ForgetConsumer(ctx context.Context, openID string) (int, error) {
	node, err := s.nodeOf(ctx, s.keys.State(openID))
	if err != nil {
		return 0, redisbase.MapError(redisOp, err)
	}
	keys := []string{s.keys.State(openID)}
	iter := node.Scan(ctx, 0, s.keys.MsgPattern(openID), forgetScanCount).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return 0, redisbase.MapError(redisOp, err)
	}
	n, err := s.rdb.Del(ctx, keys...).Result()
	if err != nil {
		return 0, redisbase.MapError(redisOp, err)
	}
	return int(n), nil
}

// nodeOf returns the client that holds key: on a Cluster the master of its slot
// (SCAN only sees one node's keys), else the client itself.
func (s *RedisStore) nodeOf(ctx context.Context, key string) (redis.Cmdable, error) {
	if cluster, ok := s.rdb.(*redis.ClusterClient); ok {
		return cluster.MasterForKey(ctx, key)
	}
	return s.rdb, nil
}
