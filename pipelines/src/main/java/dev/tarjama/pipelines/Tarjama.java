package dev.tarjama.pipelines;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The {@code tarjama} command line: {@code tarjama <command> --option=value …}, Beam
 * PipelineOptions style, so {@code --runner=DirectRunner|FlinkRunner|DataflowRunner} works with
 * every pipeline command.
 */
public final class Tarjama {
  private Tarjama() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command and returns the process exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      usage(out);
      return args.length == 0 ? 2 : 0;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "translate":
        return TranslateCommand.run(rest, out, err);
      case "calibrate":
        return CalibrateCommand.run(rest, out, err);
      case "demo":
        return DemoCommand.run(rest, out, err);
      case "serve":
        return ServeCommand.run(rest, out, err);
      case "evaluate":
        return EvaluateCommand.run(rest, out, err);
      case "judge":
        return JudgeCommand.run(rest, out, err);
      case "sweep":
        return SweepCommand.run(rest, out, err);
      default:
        err.println("tarjama: unknown command '" + args[0] + "'");
        usage(err);
        return 2;
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: tarjama <command> --option=value …");
    out.println();
    out.println("commands:");
    out.println("  demo        translate the data kit's SmolTalk2-shaped sample with the two bundled tiny models");
    out.println("  translate   translate a dataset: --input=GLOB --output=DIR --backend=… [--dry-run]");
    out.println("  calibrate   measure r0 of LR from human parallel data: --tatoeba=FILE --xquad=DIR");
    out.println("  evaluate    score translators: --sources=FILE --references=FILE --output=DIR");
    out.println("              --system=NAME=FILE|NAME=BACKEND-SPEC (repeatable); BLEU, chrF++, ROUGE-L");
    out.println("  judge       keep the good pairs of a parallel corpus: --input=FILE|--input-en=… --input-ar=…");
    out.println("              --backend=name=…,url=…,model=… --output=DIR [--format=tsv|jsonl|moses] [--judge-prompt=…]");
    out.println("  serve       OpenAI-compatible server over a local model: --model=DIR [--port=8000]");
    out.println("              [--host=127.0.0.1] [--prompt=hala,seed-x] [--decoding=greedy|beam:4|sample]");
    out.println("              [--key-env=VAR] [--provider=cpu|cuda]; --help=ServeOptions lists all");
    out.println("  sweep       retention per split under a grid of min-lr x min-scr thresholds, from a");
    out.println("              finished run's candidates/: --run=DIR [--output=DIR/sweep]");
    out.println("              [--min-lr=0.60:0.90:0.05] [--min-scr=0.80:0.95:0.05]");
    out.println();
    out.println("Any Beam pipeline option works too (--runner=…); --help=TranslateOptions lists all.");
  }
}
