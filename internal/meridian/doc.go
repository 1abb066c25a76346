// Package meridian is Meridian's shared kernel: the error type and its codes,
// the acting principal carried in a context, identifiers, money and clocks.
// It has no dependencies on other Meridian packages and does no I/O.
package meridian
