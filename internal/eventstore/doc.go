// Package eventstore defines Meridian's event store port: the envelope of a
// recorded event, the append and read operations every adapter implements,
// and the context metadata (actor, correlation and causation ids) that
// appends record. The SQL adapter lives in package store; the contract suite
// that every adapter must pass lives in eventstoretest.
package eventstore
