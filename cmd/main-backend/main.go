// Command main-backend runs pgw's main-backend server; see the README for its configuration.
package main

import (
	"os"

	"github.com/pgw/pgw/internal/app"
)

func main() { os.Exit(app.Main(app.MainBackend, os.Args[1:])) }
