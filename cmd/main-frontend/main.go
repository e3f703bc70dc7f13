// Command main-frontend runs pgw's main-frontend server; see the README for its configuration.
package main

import (
	"os"

	"github.com/pgw/pgw/internal/app"
)

func main() { os.Exit(app.Main(app.MainFrontend, os.Args[1:])) }
