package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// failwell makes no network connections, ever. Two tests hold it to that:
// one on the import graph (no failwell package imports a network package,
// and every third-party package that does is known and reviewed), one on
// a real run (strace sees no socket at all).

// netPackages are the standard packages that open network connections.
var netPackages = []string{"net", "net/http", "net/rpc", "net/smtp", "crypto/tls", "net/http/httputil", "net/http/cookiejar"}

// netImporters are the third-party packages linked into failwell that import
// a network package, and why none of them ever touches the network in
// failwell. A new entry needs a review: what does it use the package for, and
// can failwell reach that code?
var netImporters = map[string]string{
	// excelize: sheet.go calls http.DetectContentType to sniff the type of an
	// image or object embedded into a sheet (AddPicture, AddOLEObject), a
	// pure function; failwell never embeds files into a workbook.
	"github.com/xuri/excelize/v2": "net/http: http.DetectContentType only",
	// afero (a viper dependency): httpFs.go adapts an afero.Fs to the
	// http.FileSystem interface; viper reads config files from the OS file
	// system and never serves them.
	"github.com/spf13/afero": "net/http: the http.FileSystem interface type only",
	// pflag: ip.go, ipmask.go, ipnet.go define IP-address flag types with
	// net.ParseIP/ParseCIDR; failwell defines no such flag.
	"github.com/spf13/pflag": "net: net.IP parsing for IP flag types only",
	// mapstructure (a viper dependency): decode hooks that parse net.IP and
	// net.IPNet; failwell's settings have no such type.
	"github.com/go-viper/mapstructure/v2": "net: net.IP/net.IPNet parsing hooks only",
}

// goList runs `go list` with args, or skips the test without the go command.
func goList(t *testing.T, args ...string) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	cmd := exec.Command(gobin, append([]string{"list"}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

func TestNoPackageOpensNetworkConnections(t *testing.T) {
	// One line per package linked into the binary: path, module (empty for
	// the standard library), imports.
	out := goList(t, "-deps", "-f", "{{.ImportPath}}|{{with .Module}}{{.Path}}{{end}}|{{join .Imports \",\"}}", ".")
	found := map[string]bool{}
	for line := range strings.Lines(out) {
		parts := strings.SplitN(strings.TrimSpace(line), "|", 3)
		if len(parts) != 3 || parts[1] == "" {
			continue // the standard library
		}
		pkg, module, imports := parts[0], parts[1], strings.Split(parts[2], ",")
		var nets []string
		for _, imp := range imports {
			if slices.Contains(netPackages, imp) {
				nets = append(nets, imp)
			}
		}
		if len(nets) == 0 {
			continue
		}
		if module == "github.com/failwell/failwell" {
			t.Errorf("%s imports %s: failwell must not use the network", pkg, strings.Join(nets, ", "))
			continue
		}
		if _, ok := netImporters[pkg]; !ok {
			t.Errorf("%s (module %s) imports %s: review what it uses it for and add it to netImporters, or drop the dependency",
				pkg, module, strings.Join(nets, ", "))
		}
		found[pkg] = true
	}
	for pkg := range netImporters {
		if !found[pkg] {
			t.Logf("%s no longer imports a network package; its netImporters entry can go", pkg)
		}
	}
}

// TestRunOpensNoSocket runs the real binary over the samples under strace
// and checks that no socket is ever created. Skipped without strace.
func TestRunOpensNoSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace is not installed")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "failwell")
	if out, err := exec.Command(gobin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	trace := filepath.Join(dir, "trace.txt")
	out := filepath.Join(dir, "out")
	cmd := exec.Command(strace, "-f", "-qq", "-e", "signal=none", "-e", "trace=socket,socketpair,connect,bind,listen,openat",
		"-o", trace, bin, "run", filepath.Join(samples, "cohort.xlsx"), "--out", out, "--as-of", "2026-11-26", "--quiet", "--blind")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
	if b, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(b), "ptrace") || strings.Contains(string(b), "Operation not permitted") {
			t.Skipf("strace cannot trace here: %s", b)
		}
		t.Fatalf("failwell run under strace: %v\n%s", err, b)
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	sawOutput := false
	for line := range strings.Lines(string(data)) {
		if strings.Contains(line, "openat") {
			sawOutput = sawOutput || strings.Contains(line, "results.jsonl")
			continue
		}
		// strace also prints lines that are not calls (a thread detached
		// mid-call: "123 ???( <detached ...>"); only the traced calls count.
		for _, call := range []string{"socket(", "socketpair(", "connect(", "bind(", "listen("} {
			if strings.Contains(line, call) {
				t.Errorf("network system call: %s", strings.TrimSpace(line))
				break
			}
		}
	}
	if !sawOutput {
		t.Fatalf("the trace does not show results.jsonl being written; strace did not trace the run:\n%.2000s", data)
	}
}
