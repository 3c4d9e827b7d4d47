// Package wechatsim simulates the WeChat official-account platform for tests,
// the zero-setup run and the load generator.
//
// It has three parts, each usable alone:
//
//   - [Client] plays the WeChat server calling the bot: it builds the XML of
//     an inbound message (text, image, voice, video, location, link, events),
//     signs the URL, encrypts the body in safe mode and checks the passive
//     reply exactly as WeChat would, so a bug in the bot's WeChat library or in
//     its use shows up as a test failure instead of as "该公众号暂时无法提供服务".
//   - [Platform] serves the API endpoints the bot calls (access tokens,
//     customer-service and template messages, temporary media, menus) with
//     WeChat's error codes, and records every message the bot pushes. It
//     keeps each consumer's customer-service window as WeChat does (5
//     messages within 48 hours of a message, 3 within a minute of a click,
//     subscription or scan; 45015 outside, 45047 over the count; 43004 for
//     a template to someone who unsubscribed): a Client with its Platform
//     field set, and the /sim page, report every inbound message to it
//     ([Platform.ObserveMessage]). Its clock can be moved
//     ([Platform.Advance], [Platform.SetNow]) and it can be told to fail
//     ([Platform.FailNext] with a [Fault], [Platform.SetDown],
//     [Platform.ExpireTokens]); a call that fails records nothing.
//   - [NewPage] serves a phone-like chat page at /sim where a person plays the
//     consumer in a browser.
//
// The crypto ([Signature], [Encrypt], [Decrypt]) is written here on the
// standard library on purpose: the simulator checks the bot's library
// independently instead of agreeing with it by construction.
package wechatsim
