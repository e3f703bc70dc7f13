// Command admin-backend runs pgw's admin-backend server; see the README for its configuration.
package main

import (
	"os"

	"github.com/pgw/pgw/internal/app"
)

func main() { os.Exit(app.Main(app.AdminBackend, os.Args[1:])) }
