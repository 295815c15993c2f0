package report

import (
	"errors"
	"io"

	"github.com/failwell/failwell/evaluate"
)

// renderPDF renders one candidate's PDF. TEMPORARY: switched to [PDF] as soon
// as pdf.go lands.
func renderPDF(w io.Writer, r *evaluate.Result, o PDFOptions) error {
	return errors.New("pdf rendering not available yet")
}
