#!/usr/bin/python3
"""Train and export Tarjama's tiny EN->AR translation reward model (testdata/models/tiny-reward/).

The export has the shape of a Hugging Face sequence-classification reward model exported to ONNX
(e.g. a Qwen2.5-1.5B Bradley-Terry reward model, as SmolKalam ranks with):

    model.onnx          input_ids [batch, seq] int64, attention_mask [batch, seq] int64
                        -> logits [batch, 1] float32 (the reward)
    tokenizer.json      the real Qwen3 byte-level BPE tokenizer (../shared/models/tokenizers/qwen3),
                        which gives Qwen2.5's ids on any text without <think>/<tool_response>
    reward_config.json  Tarjama's reward-model settings: chat template, max tokens, truncation side

The pair (source, candidate) is formatted in the Qwen chat format, user turn = English source,
assistant turn = candidate translation, exactly as Tarjama's RewardModel formats it.

Training is Bradley-Terry (loss -log sigmoid(r_chosen - r_rejected)) on real human translations:
Tatoeba EN-AR pairs (minus the 500 held-out pairs of testdata/eval/) and XQuAD questions. For each
(English, Arabic reference) the chosen candidate is the reference and the rejected one is, in turn,
the English left untranslated, the reference of another sentence (a mismatch), or the reference
cut in half (a dropped clause). The model is tiny (a 2-layer transformer over the token ids that
occur in the training data) and demo quality: it prefers Arabic to English, whole translations to
cut ones and, more weakly, the matching translation to a mismatched one.

Run with Debian's interpreter and packages (python3-torch, python3-onnx, libopenblas0-pthread),
from the repository root:

    nice -n 19 /usr/bin/python3 testdata/tools/make_tiny_reward_model.py

Seeded; training runs a fixed number of steps.
"""

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
import unicodedata

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared"))
QWEN3 = os.path.join(SHARED, "models", "tokenizers", "qwen3", "tokenizer.json")
TATOEBA = os.path.join(SHARED, "data", "parallel", "tatoeba_anki", "ara.txt")
XQUAD = os.path.join(SHARED, "data", "eval", "xquad")
HELDOUT_EN = os.path.join(REPO, "testdata", "eval", "tatoeba_heldout.en.txt")
OUT = os.path.join(REPO, "testdata", "models", "tiny-reward")
ERRORS = os.path.join(REPO, "testdata", "models", "reward-signature-errors")

# The Qwen chat format, user = source, assistant = candidate (RewardModelConfig's default).
TEMPLATE = "<|im_start|>user\n{source}<|im_end|>\n<|im_start|>assistant\n{candidate}<|im_end|>\n"
MAX_TOKENS = 256
PAD_ID = 151643  # <|endoftext|>, Qwen's pad token
SEED = 5151


# ----------------------------------------------------------------------------------------------
# Qwen byte-level BPE in plain Python (the `tokenizers` package is not installed here). Same
# normalizer (NFC), added tokens, pre-tokenizer and merges as tokenizer.json; Python's `re` has
# no \p{L}/\p{N}, so letters are [^\W\d_] and numbers \d, which differs from the Rust regex only
# on non-decimal numerals (superscripts, fractions) - absent from the training data.
# ----------------------------------------------------------------------------------------------

_L = r"[^\W\d_]"
_NOT_LN = r"(?:[^\w]|_)"  # neither letter nor number
_PRETOKENIZE = re.compile(
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)"
    r"|(?:(?![\r\n])" + _NOT_LN + r")?" + _L + r"+"
    r"|\d"
    r"| ?(?:(?!\s)" + _NOT_LN + r")+[\r\n]*"
    r"|\s*[\r\n]+"
    r"|\s+(?!\S)"
    r"|\s+")


def _bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(
        range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


class QwenTokenizer:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        self.vocab = spec["model"]["vocab"]
        merges = spec["model"]["merges"]
        self.ranks = {tuple(m) if isinstance(m, list) else tuple(m.split(" ")): i
                      for i, m in enumerate(merges)}
        self.added = {t["content"]: t["id"] for t in spec["added_tokens"]}
        self.added_re = re.compile("(" + "|".join(re.escape(t) for t in
                                                  sorted(self.added, key=len, reverse=True)) + ")")
        self.byte_map = _bytes_to_unicode()
        self.cache = {}

    def _bpe(self, word):
        if word in self.cache:
            return self.cache[word]
        parts = list(word)
        while len(parts) > 1:
            best, best_rank = None, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            parts[best:best + 2] = [parts[best] + parts[best + 1]]
        ids = [self.vocab[p] for p in parts]
        self.cache[word] = ids
        return ids

    def encode(self, text):
        ids = []
        for piece in self.added_re.split(text):
            if not piece:
                continue
            if piece in self.added:
                ids.append(self.added[piece])
                continue
            piece = unicodedata.normalize("NFC", piece)
            for word in _PRETOKENIZE.findall(piece):
                mapped = "".join(self.byte_map[b] for b in word.encode("utf-8"))
                ids.extend(self._bpe(mapped))
        return ids


def encode_pair(tok, source, candidate):
    """The ids RewardModel feeds: template filled in, truncated from the left to MAX_TOKENS."""
    ids = tok.encode(TEMPLATE.replace("{source}", source).replace("{candidate}", candidate))
    return ids[-MAX_TOKENS:]


# ----------------------------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------------------------

def read_tatoeba():
    with open(HELDOUT_EN, encoding="utf-8") as f:
        heldout = set(line.rstrip("\n") for line in f)
    pairs = []
    with open(TATOEBA, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[0].strip() and cols[1].strip() and cols[0].strip() not in heldout:
                pairs.append((cols[0].strip(), cols[1].strip()))
    return pairs


def read_xquad_questions():
    def questions(path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)["data"]
        out = {}
        for article in data:
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    out[qa["id"]] = qa["question"].strip()
        return out

    en = questions(os.path.join(XQUAD, "xquad.en.json"))
    ar = questions(os.path.join(XQUAD, "xquad.ar.json"))
    return [(en[k], ar[k]) for k in sorted(en) if k in ar]


def cut_in_half(text):
    words = text.split()
    return " ".join(words[: max(1, len(words) // 2)]) if len(words) >= 4 else None


def make_preferences(pairs, rng):
    """(source, chosen, rejected) triples: the reference against three kinds of bad candidate."""
    refs = [ar for _, ar in pairs]
    triples = []
    for en, ar in pairs:
        triples.append((en, ar, en))  # untranslated
        other = refs[rng.randrange(len(refs))]
        if other != ar:
            triples.append((en, ar, other))  # mismatched
        half = cut_in_half(ar)
        if half is not None:
            triples.append((en, ar, half))  # a dropped clause
    rng.shuffle(triples)
    return triples


# ----------------------------------------------------------------------------------------------
# Model
# ----------------------------------------------------------------------------------------------

class Block(nn.Module):
    def __init__(self, d, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.out = nn.Linear(d, d)
        self.norm1 = nn.LayerNorm(d)
        self.ff1 = nn.Linear(d, ffn)
        self.ff2 = nn.Linear(ffn, d)
        self.norm2 = nn.LayerNorm(d)

    def forward(self, x, additive_mask):
        b, n, d = x.shape
        h = self.norm1(x)
        q, k, v = self.qkv(h).view(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        att = torch.softmax(q @ k.transpose(-1, -2) / float(np.sqrt(d // self.heads)) + additive_mask, -1)
        x = x + self.out((att @ v).transpose(1, 2).reshape(b, n, d))
        return x + self.ff2(F.gelu(self.ff1(self.norm2(x))))


class TinyReward(nn.Module):
    """ids -> compact ids (the tokens seen in training; others -> 0) -> embedding + position +
    turn (counted <|im_start|> markers) -> 2 pre-norm transformer blocks -> [masked mean; last
    real token] -> a scalar reward, as logits [batch, 1]."""

    def __init__(self, lookup, vocab, im_start, d=64, heads=4, ffn=128, layers=2):
        super().__init__()
        self.register_buffer("lookup", lookup)  # [151669] int32: half the bytes of int64
        self.im_start = im_start
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(MAX_TOKENS, d)
        self.turn = nn.Embedding(4, d)
        self.blocks = nn.ModuleList(Block(d, heads, ffn) for _ in range(layers))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, 1))

    def forward(self, input_ids, attention_mask):
        n = input_ids.shape[1]
        positions = torch.arange(n, device=input_ids.device).unsqueeze(0)
        turn = torch.clamp(torch.cumsum((input_ids == self.im_start).long(), 1), max=3)
        x = self.tok(self.lookup[input_ids].long()) + self.pos(positions) + self.turn(turn)
        mask = attention_mask.to(x.dtype)
        additive = ((1.0 - mask) * -1e4)[:, None, None, :]
        for block in self.blocks:
            x = block(x, additive)
        x = self.norm(x)
        m = mask.unsqueeze(-1)
        mean = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
        last_index = attention_mask.sum(1, keepdim=True) - 1  # right padding
        last = (x * (positions == last_index).to(x.dtype).unsqueeze(-1)).sum(1)
        return self.head(torch.cat([mean, last], -1))


def collate(seqs):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def score(model, seqs, batch=128):
    out = []
    model.eval()
    with torch.no_grad():
        for i in range(0, len(seqs), batch):
            ids, mask = collate(seqs[i: i + batch])
            out.extend(model(ids, mask)[:, 0].tolist())
    return out


def write_signature_errors(out_dir):
    """Two tiny graphs that are not reward models, for the load-error tests: one with other
    input/output names (tokens, mask -> scores), one with a two-label head (logits [batch, 2])."""
    from onnx import TensorProto, helper

    def graph(inputs, output, labels):
        ids, mask = inputs
        w = helper.make_tensor("w", TensorProto.FLOAT, [1, labels], [0.5] * labels)
        nodes = [
            helper.make_node("Cast", [mask], ["maskf"], to=TensorProto.FLOAT),
            helper.make_node("ReduceSum", ["maskf"], ["len"], keepdims=1),
            helper.make_node("Cast", [ids], ["idsf"], to=TensorProto.FLOAT),
            helper.make_node("ReduceMean", ["idsf"], ["mean"], keepdims=1),
            helper.make_node("Add", ["len", "mean"], ["s"]),
            helper.make_node("MatMul", ["s", "w"], [output]),
        ]
        g = helper.make_graph(
            nodes, "not_a_reward_model",
            [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "sequence"]),
             helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "sequence"])],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["batch", labels])],
            initializer=[w])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="tarjama-tests")
        m.ir_version = 8
        onnx.checker.check_model(m)
        return m

    os.makedirs(out_dir, exist_ok=True)
    onnx.save(graph(("tokens", "mask"), "scores", 1), os.path.join(out_dir, "wrong_names.onnx"))
    onnx.save(graph(("input_ids", "attention_mask"), "logits", 2), os.path.join(out_dir, "two_logits.onnx"))


# ----------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--only-signature-errors", action="store_true",
                    help="only rewrite testdata/models/reward-signature-errors/")
    args = ap.parse_args()
    write_signature_errors(ERRORS)
    if args.only_signature_errors:
        return 0
    t0 = time.time()
    rng = random.Random(SEED)
    torch.manual_seed(SEED)

    tok = QwenTokenizer(QWEN3)
    pairs = read_tatoeba() + read_xquad_questions()
    triples = make_preferences(pairs, rng)
    print(f"{len(pairs)} reference pairs, {len(triples)} preference pairs", flush=True)
    encoded = [(encode_pair(tok, en, c), encode_pair(tok, en, r)) for en, c, r in triples]
    print(f"tokenized in {time.time() - t0:.0f} s", flush=True)

    # Compact vocabulary: every id seen in training gets a row; unseen ids share row 0.
    seen = sorted({i for c, r in encoded for s in (c, r) for i in s})
    vocab_size = max(tok.vocab.values()) + 1
    vocab_size = max(vocab_size, max(tok.added.values()) + 1)
    lookup = torch.zeros(vocab_size, dtype=torch.int32)
    for row, token in enumerate(seen, start=1):
        lookup[token] = row
    im_start = tok.added["<|im_start|>"]
    model = TinyReward(lookup, len(seen) + 1, im_start)
    params = sum(p.numel() for p in model.parameters())
    print(f"{len(seen)} token rows, {params} parameters", flush=True)

    valid = encoded[:1000]
    train = encoded[1000:]
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.steps, pct_start=0.1)
    for step in range(args.steps):
        model.train()
        batch = [train[rng.randrange(len(train))] for _ in range(args.batch)]
        ids, mask = collate([c for c, _ in batch] + [r for _, r in batch])
        rewards = model(ids, mask)[:, 0]
        chosen, rejected = rewards[: args.batch], rewards[args.batch:]
        loss = -F.logsigmoid(chosen - rejected).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 250 == 0 or step == args.steps - 1:
            c = score(model, [p[0] for p in valid])
            r = score(model, [p[1] for p in valid])
            acc = sum(a > b for a, b in zip(c, r)) / len(valid)
            print(f"step {step} loss {loss.item():.4f} valid accuracy {acc:.3f} "
                  f"({time.time() - t0:.0f} s)", flush=True)

    # Held-out check per kind of bad candidate (sentences never trained on).
    with open(HELDOUT_EN, encoding="utf-8") as f:
        h_en = [l.rstrip("\n") for l in f]
    with open(HELDOUT_EN.replace(".en.", ".ar."), encoding="utf-8") as f:
        h_ar = [l.rstrip("\n") for l in f]
    ref = score(model, [encode_pair(tok, e, a) for e, a in zip(h_en, h_ar)])
    kinds = {
        "untranslated": [encode_pair(tok, e, e) for e in h_en],
        "mismatched": [encode_pair(tok, e, h_ar[(i + 1) % len(h_ar)]) for i, e in enumerate(h_en)],
    }
    heldout = {}
    for kind, seqs in kinds.items():
        s = score(model, seqs)
        heldout[kind] = round(sum(a > b for a, b in zip(ref, s)) / len(ref), 3)
    print("held-out: reference preferred over", heldout, flush=True)

    os.makedirs(args.out, exist_ok=True)
    model.eval()
    path = os.path.join(args.out, "model.onnx")
    ids, mask = collate([valid[0][0], valid[1][0][:5]])
    torch.onnx.export(
        model, (ids, mask), path, input_names=["input_ids", "attention_mask"],
        output_names=["logits"], opset_version=14,
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"},
                      "attention_mask": {0: "batch", 1: "sequence"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    shutil.copyfile(QWEN3, os.path.join(args.out, "tokenizer.json"))
    config = {
        "template": TEMPLATE,
        "max_tokens": MAX_TOKENS,
        "truncation_side": "left",
        "pad_token_id": PAD_ID,
    }
    with open(os.path.join(args.out, "reward_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2, ensure_ascii=False)
        f.write("\n")
    # Reference scores for the Java tests: the first held-out pairs, in torch.
    check = [(h_en[i], h_ar[i]) for i in range(5)] + [(h_en[0], h_en[0])]
    expected = score(model, [encode_pair(tok, e, c) for e, c in check])
    info = {
        "training": {"reference_pairs": len(pairs), "preference_pairs": len(triples),
                     "steps": args.steps, "batch": args.batch, "seed": SEED,
                     "parameters": params, "token_rows": len(seen) + 1,
                     "wall_time_s": round(time.time() - t0)},
        "heldout_reference_preferred_over": heldout,
        "torch_scores": [{"source": e, "candidate": c, "ids": encode_pair(tok, e, c), "reward": r}
                         for (e, c), r in zip(check, expected)],
    }
    with open(os.path.join(args.out, "training.json"), "w", encoding="utf-8") as f:
        json.dump(info, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out} in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
