package store

import (
	"fmt"
	"strings"

	"github.com/uptrace/bun"
)

// Query is a list request already checked against a whitelist of columns:
// conditions, sort and page. It becomes parameterised SQL only; column names
// come from the whitelist, values are always bound.
type Query struct {
	Conds  []Cond
	Sorts  []Sort
	Limit  int
	Offset int
	// CountOnly asks for the number of matching rows and none of them.
	CountOnly bool
}

// Cond is one filter on a whitelisted column.
type Cond struct {
	Column string // SQL column of the list's table
	Op     string // eq, gt, gte, lt, lte, in, btw, ilike, sw, null, contains
	Values []any
	Not    bool
	// Text marks a text column, for which null also matches the empty string.
	Text bool
}

// Sort orders by a whitelisted column.
type Sort struct {
	Column string
	Desc   bool
}

// likeEscape escapes LIKE wildcards in a value matched literally.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// apply adds the query to q, on the table aliased alias.
func (qr Query) apply(q *bun.SelectQuery, alias string) *bun.SelectQuery {
	// Column names come from the caller's whitelist, never from a request.
	col := func(c string) bun.Safe { return bun.Safe(alias + "." + c) }
	for _, c := range qr.Conds {
		var expr string
		args := []any{col(c.Column)}
		switch c.Op {
		case "eq":
			expr, args = "? = ?", append(args, c.Values[0])
		case "gt":
			expr, args = "? > ?", append(args, c.Values[0])
		case "gte":
			expr, args = "? >= ?", append(args, c.Values[0])
		case "lt":
			expr, args = "? < ?", append(args, c.Values[0])
		case "lte":
			expr, args = "? <= ?", append(args, c.Values[0])
		case "in":
			expr, args = "? IN (?)", append(args, bun.In(c.Values))
		case "btw":
			expr, args = "? BETWEEN ? AND ?", append(args, c.Values[0], c.Values[1])
		case "ilike", "contains":
			v := "%" + likeEscape(fmt.Sprint(c.Values[0])) + "%"
			if c.Op == "ilike" {
				expr, args = `LOWER(?) LIKE LOWER(?) ESCAPE '\'`, append(args, v)
			} else {
				expr, args = `? LIKE ? ESCAPE '\'`, append(args, v)
			}
		case "sw":
			expr, args = `LOWER(?) LIKE LOWER(?) ESCAPE '\'`, append(args, likeEscape(fmt.Sprint(c.Values[0]))+"%")
		case "null":
			expr = "? IS NULL"
			if c.Text {
				expr, args = "(? IS NULL OR ? = '')", append(args, col(c.Column))
			}
		default:
			continue // the parser admits no other operator
		}
		if c.Not {
			expr = "NOT (" + expr + ")"
		}
		q = q.Where(expr, args...)
	}
	for _, s := range qr.Sorts {
		dir := "ASC"
		if s.Desc {
			dir = "DESC"
		}
		q = q.OrderExpr("? "+dir, col(s.Column))
	}
	return q.Limit(int64(qr.Limit)).Offset(int64(qr.Offset))
}
