#!/usr/bin/python3
"""Build Tarjama's EN->AR evaluation set from XQuAD's questions.

Reads the data kit's XQuAD files (google-deepmind/xquad: SQuAD v1.1 dev questions with
professional Arabic translations, CC BY-SA 4.0) and writes, one segment per line, line i of
each file belonging to the same question:

    testdata/eval/xquad_en_ar.en.txt    English question (the source)
    testdata/eval/xquad_en_ar.ar.txt    its professional Arabic translation (the reference)
    testdata/eval/xquad_en_ar.ids.txt   the question's XQuAD/SQuAD id

Selection: the first two questions of every paragraph, in file order (all 48 articles and all
240 paragraphs; the 3 paragraphs with one question give one), 477 segments. Questions, not
paragraphs: a question is one sentence on both sides, so segments align 1:1 by construction;
XQuAD's paragraphs are 5-10 sentences whose Arabic sentence boundaries do not always match the
English ones, so sentence-level pairs cut from them would need an aligner.

Text is kept as XQuAD has it except for what a one-segment-per-line file cannot hold: runs of
whitespace (XQuAD has newlines and tabs inside 52 questions) become one space, and leading and
trailing whitespace is removed.

Standard library only; deterministic (no sampling). From the repository root:

    python3 testdata/tools/make_xquad_eval.py [--xquad ../shared/data/eval/xquad]
"""

import argparse
import json
import os
import re

PER_PARAGRAPH = 2


def clean(text):
    return re.sub(r"\s+", " ", text).strip()


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--xquad", default=os.path.join(root, "..", "shared", "data", "eval", "xquad"))
    parser.add_argument("--out", default=os.path.join(root, "testdata", "eval"))
    args = parser.parse_args()

    with open(os.path.join(args.xquad, "xquad.en.json"), encoding="utf-8") as f:
        en = json.load(f)
    with open(os.path.join(args.xquad, "xquad.ar.json"), encoding="utf-8") as f:
        ar = json.load(f)

    rows = []
    for en_article, ar_article in zip(en["data"], ar["data"], strict=True):
        for en_par, ar_par in zip(en_article["paragraphs"], ar_article["paragraphs"], strict=True):
            pairs = list(zip(en_par["qas"], ar_par["qas"], strict=True))
            for en_qa, ar_qa in pairs[:PER_PARAGRAPH]:
                if en_qa["id"] != ar_qa["id"]:
                    raise SystemExit(f"XQuAD files are not parallel at {en_qa['id']} / {ar_qa['id']}")
                source, reference = clean(en_qa["question"]), clean(ar_qa["question"])
                if not source or not reference:
                    raise SystemExit(f"empty question {en_qa['id']}")
                rows.append((en_qa["id"], source, reference))

    os.makedirs(args.out, exist_ok=True)
    for suffix, column in (("en", 1), ("ar", 2), ("ids", 0)):
        path = os.path.join(args.out, f"xquad_en_ar.{suffix}.txt")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for row in rows:
                f.write(row[column] + "\n")
    print(f"wrote {len(rows)} segments to {args.out}/xquad_en_ar.{{en,ar,ids}}.txt")


if __name__ == "__main__":
    main()
