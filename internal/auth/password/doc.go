// Package password hashes and verifies passwords, checks new passwords
// against Meridian's policy and throttles failed sign-ins (OWASP ASVS 5.0,
// chapter V6 "Authentication").
//
//   - Hash, Verify, NeedsRehash and DummyVerify use argon2id
//     (golang.org/x/crypto/argon2) with the PHC string format
//     $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>. Passwords are
//     normalized to Unicode NFKC before hashing, so that the same password
//     typed on different keyboards verifies. Verify compares in constant time;
//     DummyVerify costs what Verify costs, for sign-ins to unknown accounts.
//   - Check applies the policy for new passwords: 12 to 128 characters
//     (counted as Unicode code points after NFKC), not one of the 10,000 most
//     common passwords (shipped in data/, see its README), not a common
//     password padded with digits or symbols, not a short pattern repeated,
//     and not containing the user's name or e-mail local part. There are no
//     composition rules (ASVS 6.2.5).
//   - Throttle counts failed sign-ins per key in the login_failures table and
//     imposes an exponential delay after 5 failures.
//
// Errors: Check returns a *meridian.Error with code meridian.EInvalid whose
// message never contains the password; Guard returns meridian.ERateLimited.
// Verify returns ErrMalformedHash (not a meridian.Error: a stored hash that
// does not parse is an internal fault) for an encoded hash it cannot read.
package password
