// Command pgw is the operator's tool: migrations, bootstrap, API keys, the
// all-in-one dev server and the load generator. Run `pgw help`.
package main

import (
	"os"

	"github.com/pgw/pgw/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], &cli.Env{Stdout: os.Stdout, Stderr: os.Stderr}))
}
