// Package skills is Meridian's skills intelligence: the taxonomy of
// backend technologies (an embedded, versioned data file, data/taxonomy.yaml)
// and the extractor that finds them in free text (postings, résumés, HN
// posts).
//
// The taxonomy gives every technology a stable id, a display name, a
// category, the spellings that name it, broader skills it partly implies
// (parents: PostgreSQL → SQL) and related skills. Groups roll categories and
// skills up ("cloud" is every cloud platform and cloud service), so that a
// question such as "does this posting require cloud proficiency?" has one
// answer everywhere.
//
// Errors: Parse returns a plain error naming the entry and the rule it
// breaks; lookups report absence with a boolean.
package skills
