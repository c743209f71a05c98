//go:build tools

// Package tools pins the GoToSocial command this module builds.
package tools

import _ "code.superseriousbusiness.org/gotosocial/cmd/gotosocial"
