//go:build tools

// Package tools pins the CLI's module in this wrapper; the binary is built from
// github.com/pulumi/pulumi/pkg/v3/cmd/pulumi (a main package, so it is not imported here).
package tools
