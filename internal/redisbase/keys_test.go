package redisbase

import (
	"strings"
	"testing"
)

// TestKeysLayout pins every key to the exact string existing deployments hold:
// a change here strands their state, sessions and counters.
func TestKeysLayout(t *testing.T) {
	def, custom := NewKeys(""), NewKeys("cbtest-1a2b")
	tests := []struct{ got, want string }{
		{def.State("oUser123"), "cb:{oUser123}:state"},
		{def.Msg("oUser123", "m1"), "cb:{oUser123}:msg:m1"},
		{def.SessionPrefix(), "cb:console:{sessions}:"},
		{def.Session("ab12"), "cb:console:{sessions}:ab12"},
		{def.Session(""), "cb:console:{sessions}:"},
		{def.StaffSessions("4"), "cb:console:{sessions}:staff:4"},
		{def.Throttle("user:alice"), "cb:console:throttle:{user:alice}"},
		{def.Throttle("ip:10.0.0.1"), "cb:console:throttle:{ip:10.0.0.1}"},
		{def.Rate("phone_search", "staff:7"), "cb:console:rate:phone_search:{staff:7}"},
		{def.ReplaySignature("0f1e2d3c"), "cb:{sig:0f1e2d3c}"},
		{custom.State("oU"), "cbtest-1a2b:{oU}:state"},
		{custom.Msg("oU", "m2"), "cbtest-1a2b:{oU}:msg:m2"},
		{custom.Session("ab12"), "cbtest-1a2b:console:{sessions}:ab12"},
		{custom.StaffSessions("9"), "cbtest-1a2b:console:{sessions}:staff:9"},
		{custom.Throttle("userip:10.0.0.1/alice"), "cbtest-1a2b:console:throttle:{userip:10.0.0.1/alice}"},
		{custom.Rate("phone_search", "staff:7"), "cbtest-1a2b:console:rate:phone_search:{staff:7}"},
		{custom.ReplaySignature("0f1e2d3c"), "cbtest-1a2b:{sig:0f1e2d3c}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

// TestKeysEscaping checks that braces and "%" in any caller-supplied part are
// escaped where they could move a hash tag, and only there.
func TestKeysEscaping(t *testing.T) {
	def, braced := NewKeys(""), NewKeys("a{b}%")
	tests := []struct{ got, want string }{
		{def.State("o{x}y"), "cb:{o%7Bx%7Dy}:state"},
		{def.State("o%7Bx%7Dy"), "cb:{o%257Bx%257Dy}:state"},
		{def.State("}{"), "cb:{%7D%7B}:state"},
		{def.Msg("o{", "m{1}"), "cb:{o%7B}:msg:m{1}"}, // after the tag: left alone
		{def.Msgs("o{x}"), "cb:{o%7Bx%7D}:msgs"},
		{def.Throttle("user:{eve}"), "cb:console:throttle:{user:%7Beve%7D}"},
		{def.Rate("a{b}", "staff:{7}"), "cb:console:rate:a%7Bb%7D:{staff:%7B7%7D}"},
		{braced.State("oUser"), "a%7Bb%7D%25:{oUser}:state"},
		{braced.Session("ab"), "a%7Bb%7D%25:console:{sessions}:ab"},
		{braced.ReplaySignature("0f1e"), "a%7Bb%7D%25:{sig:0f1e}"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("key %q, want %q", tt.got, tt.want)
		}
	}
}

// TestKeysHashTags checks, by Redis Cluster's own rule, the slot each key hashes by:
// a consumer's keys share the openid, sessions share "sessions", and a prefix
// with braces does not take the tag over.
func TestKeysHashTags(t *testing.T) {
	for _, prefix := range []string{"", "a{b}", "}{"} {
		k := NewKeys(prefix)
		for _, user := range []string{"oUser", "o{x}y", "{", "o}", "%"} {
			want := EscapeTag(user)
			if a, b := HashTag(k.State(user)), HashTag(k.Msg(user, "m{1}")); a != want || b != want {
				t.Errorf("prefix %q, openid %q: tags %q and %q, want %q", prefix, user, a, b, want)
			}
		}
		for _, key := range []string{k.Session("ab"), k.StaffSessions("4")} {
			if got := HashTag(key); got != "sessions" {
				t.Errorf("prefix %q: %s hashes by %q, want sessions", prefix, key, got)
			}
		}
		if got := HashTag(k.Throttle("user:{eve}")); got != "user:%7Beve%7D" {
			t.Errorf("prefix %q: throttle tag %q", prefix, got)
		}
		if got := HashTag(k.ReplaySignature("0f1e")); got != "sig:0f1e" {
			t.Errorf("prefix %q: replay tag %q", prefix, got)
		}
	}
}

func TestEscapeTagIsOneToOne(t *testing.T) {
	inputs := []string{"", "%", "%25", "{", "%7B", "}", "%7D", "a{b}c", "a%7Bb%7Dc", "%%{{}}"}
	seen := map[string]string{}
	for _, in := range inputs {
		out := EscapeTag(in)
		if strings.ContainsAny(out, "{}") {
			t.Errorf("EscapeTag(%q) = %q keeps a brace", in, out)
		}
		if prev, ok := seen[out]; ok {
			t.Errorf("EscapeTag(%q) = EscapeTag(%q) = %q", in, prev, out)
		}
		seen[out] = in
	}
}

func TestWeChatKeys(t *testing.T) {
	for _, tc := range []struct{ prefix, cache, lock string }{
		{"", "cb:wx:tok", "cb:wx:tok:lock"},
		{"x:", "x:tok", "x:tok:lock"},
	} {
		k := NewWeChatKeys(tc.prefix)
		if got := k.Cache("tok"); got != tc.cache {
			t.Errorf("prefix %q: Cache = %q, want %q", tc.prefix, got, tc.cache)
		}
		if got := k.TokenLock("tok"); got != tc.lock {
			t.Errorf("prefix %q: TokenLock = %q, want %q", tc.prefix, got, tc.lock)
		}
	}
}
