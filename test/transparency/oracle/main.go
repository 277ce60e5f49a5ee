// weft-tlog-oracle: an independent verifier for Weft's checkpoints, receipts and consistency
// proofs, built only on the Go transparency ecosystem (golang.org/x/mod sumdb/note + sumdb/tlog,
// transparency-dev/merkle, transparency-dev/formats). It shares no code with Weft.
//
// Input (stdin): JSON {"vkey","origin","cosigners":[vkey],"checkpoints":[note],
// "receipts":[text],"consistency":[{"size1","size2","root1","root2","proof":[b64]}]}.
// Output (stdout): JSON {"checkpoints":[result],"receipts":[result],"consistency":[result]} where
// a result is {"ok":bool,"error":string,"cosigners":int}.
package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"

	fnote "github.com/transparency-dev/formats/note"
	"github.com/transparency-dev/formats/log"
	tproof "github.com/transparency-dev/formats/proof"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type consistencyCase struct {
	Size1 uint64   `json:"size1"`
	Size2 uint64   `json:"size2"`
	Root1 string   `json:"root1"`
	Root2 string   `json:"root2"`
	Proof []string `json:"proof"`
}

type input struct {
	VKey        string            `json:"vkey"`
	Origin      string            `json:"origin"`
	Cosigners   []string          `json:"cosigners"`
	Checkpoints []string          `json:"checkpoints"`
	Receipts    []string          `json:"receipts"`
	Consistency []consistencyCase `json:"consistency"`
}

type result struct {
	OK        bool   `json:"ok"`
	Error     string `json:"error,omitempty"`
	Cosigners int    `json:"cosigners"`
}

func fail(err error) result { return result{OK: false, Error: err.Error()} }

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "bad input:", err)
		os.Exit(2)
	}
	logV, err := note.NewVerifier(in.VKey)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bad vkey:", err)
		os.Exit(2)
	}
	var cosigners []note.Verifier
	for _, k := range in.Cosigners {
		v, err := fnote.NewVerifierForCosignatureV1(k)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bad cosigner vkey:", err)
			os.Exit(2)
		}
		cosigners = append(cosigners, v)
	}
	out := map[string][]result{"checkpoints": {}, "receipts": {}, "consistency": {}}
	for _, c := range in.Checkpoints {
		out["checkpoints"] = append(out["checkpoints"], checkCheckpoint([]byte(c), in.Origin, logV, cosigners))
	}
	for _, r := range in.Receipts {
		out["receipts"] = append(out["receipts"], checkReceipt([]byte(r), in.Origin, logV, cosigners))
	}
	for _, c := range in.Consistency {
		out["consistency"] = append(out["consistency"], checkConsistency(c))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(2)
	}
}

func countCosigners(n *note.Note, cosigners []note.Verifier) int {
	count := 0
	for _, s := range n.Sigs {
		for _, c := range cosigners {
			if s.Name == c.Name() && s.Hash == c.KeyHash() {
				count++
			}
		}
	}
	return count
}

func checkCheckpoint(raw []byte, origin string, logV note.Verifier, cosigners []note.Verifier) result {
	cp, _, n, err := log.ParseCheckpoint(raw, origin, logV, cosigners...)
	if err != nil {
		return fail(err)
	}
	if len(cp.Hash) != 32 {
		return fail(fmt.Errorf("root is %d bytes", len(cp.Hash)))
	}
	return result{OK: true, Cosigners: countCosigners(n, cosigners)}
}

func checkReceipt(raw []byte, origin string, logV note.Verifier, cosigners []note.Verifier) result {
	var p tproof.TLogProof
	if err := p.Unmarshal(raw); err != nil {
		return fail(err)
	}
	if p.ExtraData == nil {
		return fail(fmt.Errorf("no extra data"))
	}
	cp, _, n, err := log.ParseCheckpoint(p.Checkpoint, origin, logV, cosigners...)
	if err != nil {
		return fail(err)
	}
	hashes := make([][]byte, len(p.Hashes))
	recordProof := make(tlog.RecordProof, len(p.Hashes))
	for i, h := range p.Hashes {
		hashes[i] = append([]byte(nil), h[:]...)
		recordProof[i] = tlog.Hash(h)
	}
	// transparency-dev/merkle: RFC 6962 leaf hash of the extra bytes, then the audit path.
	leaf := rfc6962.DefaultHasher.HashLeaf(p.ExtraData)
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.Index, cp.Size, leaf, hashes, cp.Hash); err != nil {
		return fail(fmt.Errorf("merkle: %w", err))
	}
	// sumdb/tlog, a second independent implementation of the same check.
	var root tlog.Hash
	copy(root[:], cp.Hash)
	if err := tlog.CheckRecord(recordProof, int64(cp.Size), root, int64(p.Index), tlog.RecordHash(p.ExtraData)); err != nil {
		return fail(fmt.Errorf("tlog: %w", err))
	}
	return result{OK: true, Cosigners: countCosigners(n, cosigners)}
}

func checkConsistency(c consistencyCase) result {
	dec := func(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
	r1, err := dec(c.Root1)
	if err != nil {
		return fail(err)
	}
	r2, err := dec(c.Root2)
	if err != nil {
		return fail(err)
	}
	hashes := make([][]byte, 0, len(c.Proof))
	treeProof := make(tlog.TreeProof, 0, len(c.Proof))
	for _, s := range c.Proof {
		h, err := dec(s)
		if err != nil || len(h) != 32 {
			return fail(fmt.Errorf("bad proof hash"))
		}
		hashes = append(hashes, h)
		var th tlog.Hash
		copy(th[:], h)
		treeProof = append(treeProof, th)
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, c.Size1, c.Size2, hashes, r1, r2); err != nil {
		return fail(fmt.Errorf("merkle: %w", err))
	}
	if c.Size1 > 0 && c.Size1 < c.Size2 {
		var h1, h2 tlog.Hash
		copy(h1[:], r1)
		copy(h2[:], r2)
		if err := tlog.CheckTree(treeProof, int64(c.Size2), h2, int64(c.Size1), h1); err != nil {
			return fail(fmt.Errorf("tlog: %w", err))
		}
	}
	return result{OK: true}
}
