package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.pipelines.Tarjama;
import dev.tarjama.pipelines.bench.CorruptionSet.Answer;
import dev.tarjama.pipelines.bench.CorruptionSet.Kind;
import dev.tarjama.pipelines.bench.CorruptionSet.Pair;
import dev.tarjama.transforms.io.CandidateLines;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.quality.QualityEstimator;
import dev.tarjama.transforms.quality.QualityInput;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.models.testing.DataKit;
import dev.tarjama.models.testing.FakeOpenAiServer;
import dev.tarjama.models.testing.JudgeAnswers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The quality benchmark: corrupted candidates ({@link CorruptionSet}) served by one loopback
 * OpenAI-compatible server, one route per kind, through the real {@code translate} command with
 * one backend per route.
 *
 * <ul>
 *   <li>{@code --tune}: the signals alone on the {@code dev} split (what the thresholds were tuned
 *       on): per kind the share failing a gate, per signal the false alarms on references.
 *   <li>{@code --signals}: the same on the {@code test} split (the gates alone, no ranking).
 *   <li>default: four runs on the {@code test} split (never tuned on): (A) the reference and
 *       the eight gate-able corruptions — reference chosen, caught per kind (PLAN.md: fails a gate
 *       or ranks strictly below the reference), references falsely rejected; (B) the eight
 *       corruptions alone — rejected share; (C) the reference and "unrelated" — the share ranked
 *       below the reference without a judge; (D) C with {@code --qe-judge} on a loopback judge
 *       whose verdicts are scripted (a pair's own reference is faithful, nothing else is): the
 *       hook's plumbing and gating, not a judge's accuracy.
 * </ul>
 *
 * <p>Ground truth is the benchmark's own routing (which route served the reference, which route
 * each corruption); what the pipeline did comes from its outputs (chosen/'s {@code source},
 * candidates/' measures, rejected/'s reasons, report.json), gates recomputed under the policy the
 * run printed and checked against its choices ("contradictions" must be 0).
 *
 * <p>Options (system properties): {@code -Dqe.bench.runs=A,C} a subset of the runs (each takes
 * minutes on the DirectRunner on 2 cores); {@code -Dqe.bench.from=DIR} reuses the outputs of runs
 * already in DIR (printed as "outputs in …") and runs only the missing ones; {@code
 * -Dqe.bench.args='--runner=FlinkRunner --flinkMaster=[local] --parallelism=2'} more translate
 * options (the DirectRunner's write stage is slow on this data: every bundle re-deserializes
 * its DoFn).
 *
 * <p>Run (from the worktree root, after {@code mvn -pl pipelines -am test-compile
 * dependency:build-classpath …} as for BackendSaturation): {@code java -Dtarjama.shared=../shared
 * dev.tarjama.pipelines.bench.CorruptionBenchmark [--tune]}.
 */
public class CorruptionBenchmark {
  // JUnit needs to instantiate it.

  private static final ObjectMapper JSON = new ObjectMapper();
  static final double R0 = 0.8166;

  /**
   * Maven's way in ({@code -Dtest=CorruptionBenchmark}; the class name keeps it out of the
   * suite): {@code -Dqe.bench=tune} for the dev split, else the test split.
   */
  @org.junit.jupiter.api.Test
  void benchmark() throws Exception {
    String mode = System.getProperty("qe.bench", "");
    main(mode.equals("tune") ? new String[] {"--tune"}
        : mode.equals("signals") ? new String[] {"--signals"} : new String[0]);
  }

  public static void main(String[] args) throws Exception {
    Path shared = DataKit.root();
    boolean tune = List.of(args).contains("--tune");
    boolean signals = List.of(args).contains("--signals");
    List<Pair> pairs = unique(CorruptionSet.pairs(shared, tune ? "dev" : "test", 150, 50, 200));
    System.out.println((tune ? "dev" : "test") + " split: " + pairs.size() + " pairs");
    if (tune || signals) {
      tune(pairs);
    } else {
      String from = System.getProperty("qe.bench.from", "");
      Path out = from.isEmpty() ? Files.createTempDirectory("qe-bench") : Path.of(from);
      System.out.println("outputs in " + out);
      run(pairs, out);
    }
  }

  private static List<Pair> unique(List<Pair> pairs) {
    Map<String, Pair> byEnglish = CorruptionSet.byEnglish(pairs);
    return pairs.stream().filter(p -> byEnglish.get(p.en()) == p).toList();
  }

  /** The signals alone, on the dev split. */
  static void tune(List<Pair> pairs) {
    QualityEstimator estimator = QualityEstimator.defaults("ar", R0);
    RankingPolicy policy = RankingPolicy.defaults();
    Map<Kind, int[]> failed = new EnumMap<>(Kind.class);
    Map<String, Integer> refAlarms = new HashMap<>();
    Map<Kind, List<String>> misses = new EnumMap<>(Kind.class);
    for (Pair p : pairs) {
      for (Kind k : Kind.values()) {
        Answer a = CorruptionSet.answer(k, p, pairs);
        if (a.unchanged()) {
          continue;
        }
        QualityMeasures q = estimator.measure(new QualityInput(p.source(), p.en(), a.text()));
        Candidate c = Candidate.unscored(p.id(), p.source(), k.route, 0, "{}", true, "", p.en(),
            a.text(), 0, 0).withQuality(q);
        List<String> gates = policy.gateFailures(c);
        int[] f = failed.computeIfAbsent(k, x -> new int[2]);
        f[1]++;
        if (!gates.isEmpty()) {
          f[0]++;
        } else if (k.gateable()) {
          misses.computeIfAbsent(k, x -> new ArrayList<>()).add(p.id() + ": " + a.text());
        }
        if (k == Kind.REFERENCE) {
          for (String g : gates) {
            refAlarms.merge(g.replaceAll(" \\(.*", ""), 1, Integer::sum);
            System.out.println("  ref alarm " + p.id() + " " + g + " | " + p.en() + " | " + p.ar());
          }
        }
      }
    }
    failed.forEach((k, f) -> System.out.printf(Locale.ROOT, "%-10s failing a gate %d/%d = %.3f%n",
        k.route, f[0], f[1], (double) f[0] / f[1]));
    System.out.println("reference false alarms by signal: " + refAlarms);
    misses.forEach((k, m) -> m.stream().limit(3).forEach(s -> System.out.println(
        "  miss " + k.route + " " + s)));
  }

  /**
   * The translate runs on the test split: A, B and C (and D, the same as C with a scripted
   * loopback judge); {@code -Dqe.bench.runs=A,C} runs a subset.
   */
  static void run(List<Pair> pairs, Path dir) throws Exception {
    Map<String, Pair> byEnglish = CorruptionSet.byEnglish(pairs);
    FakeOpenAiServer.Builder builder = FakeOpenAiServer.builder().threads(8);
    for (Kind k : Kind.values()) {
      builder.route(k.route, text -> {
        Pair p = byEnglish.get(text.strip());
        if (p == null) {
          return new FakeOpenAiServer.Answer("", "stop");
        }
        Answer a = CorruptionSet.answer(k, p, pairs);
        // A corruption that would leave the reference as it is answers nothing instead: the
        // reference must come from its own route only (run B is then corrupt-only), and such a
        // candidate is not counted as a corruption.
        return a.unchanged() ? new FakeOpenAiServer.Answer("", "stop")
            : new FakeOpenAiServer.Answer(a.text(), a.finishReason());
      });
    }
    Path input = dir.resolve("input.jsonl");
    List<String> lines = new ArrayList<>();
    for (Pair p : pairs) {
      ObjectNode r = JSON.createObjectNode();
      r.put("id", p.id());
      r.put("source", p.source());
      r.putArray("messages").addObject().put("role", "user").put("content", p.en());
      lines.add(r.toString());
    }
    Files.write(input, lines, StandardCharsets.UTF_8);
    List<Kind> gateable = Stream.of(Kind.values()).filter(Kind::gateable).toList();
    List<String> runs = List.of(System.getProperty("qe.bench.runs", "A,B,C,D")
        .toUpperCase(Locale.ROOT).split(","));
    // The judge's script: a pair's own reference is faithful, anything else is not. It tests the
    // hook's plumbing and gating, not a judge's accuracy (a real one needs a real model).
    Map<String, Set<String>> faithful = new HashMap<>();
    pairs.forEach(p -> faithful.put(p.en(), Set.of(p.ar())));
    try (FakeOpenAiServer server = builder.start();
        FakeOpenAiServer judge =
            FakeOpenAiServer.builder().judge(JudgeAnswers.of(faithful)).start()) {
      List<Kind> a = new ArrayList<>(List.of(Kind.REFERENCE));
      a.addAll(gateable);
      List<Kind> c = List.of(Kind.REFERENCE, Kind.UNRELATED);
      if (runs.contains("A")) {
        summarizeA(pairs, timed("A", dir, () -> translate(server, input, dir.resolve("A"), a)));
      }
      if (runs.contains("B")) {
        summarizeB(pairs, timed("B", dir,
            () -> translate(server, input, dir.resolve("B"), gateable)));
      }
      if (runs.contains("C")) {
        summarizeC("C: without a judge", timed("C", dir,
            () -> translate(server, input, dir.resolve("C"), c)));
      }
      if (runs.contains("D")) {
        summarizeC("D: with a scripted loopback judge (--qe-judge)", timed("D", dir,
            () -> translate(server, input, dir.resolve("D"), c, "--qe-judge=name=qe,url="
                + judge.baseUrl() + ",model=judge,temperature=0")));
        System.out.println("judge requests: " + judge.requestCount());
      }
    }
  }

  private interface Run {
    Path run() throws Exception;
  }

  /** A run whose outputs are already there ({@code -Dqe.bench.from=DIR}) is summarized again. */
  private static Path timed(String name, Path dir, Run run) throws Exception {
    if (Files.exists(dir.resolve(name).resolve("report.json"))) {
      System.out.println("run " + name + ": outputs already in " + dir.resolve(name));
      return dir.resolve(name);
    }
    long t0 = System.nanoTime();
    Path out = run.run();
    System.out.printf(Locale.ROOT, "run %s in %.0f s%n", name, (System.nanoTime() - t0) / 1e9);
    return out;
  }

  private static Path translate(FakeOpenAiServer server, Path input, Path out, List<Kind> kinds,
      String... more) throws Exception {
    List<String> args = new ArrayList<>(List.of("translate", "--input=" + input,
        "--output=" + out, "--id-field=id", "--cache=none", "--targetParallelism=4",
        "--progressSeconds=60"));
    for (Kind k : kinds) {
      args.add("--backend=name=" + k.route + ",kind=openai-chat,url=" + server.baseUrl(k.route)
          + ",model=m,prompt=hala,k=1,concurrency=8,retries=1");
    }
    args.addAll(List.of(more));
    String extra = System.getProperty("qe.bench.args", "").strip();
    if (!extra.isEmpty()) {
      args.addAll(List.of(extra.split("\\s+")));
    }
    int code = Tarjama.run(args.toArray(String[]::new), System.out, System.err);
    if (code != 0) {
      throw new IllegalStateException("translate exited " + code + " for " + out);
    }
    return out;
  }

  private static List<JsonNode> lines(Path dir) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (!l.isBlank()) {
            out.add(JSON.readTree(l));
          }
        }
      }
    }
    return out;
  }

  /** The policy the run itself printed (so the gates recomputed here are the run's own). */
  private static RankingPolicy policyOf(Path run) throws IOException {
    JsonNode report = JSON.readTree(run.resolve("report.json").toFile());
    return RankingPolicy.parse(report.at("/policy/spec").asText(""));
  }

  /** The record id of {@code pair} as the pipeline writes it (it may decorate it). */
  private static String pairId(String recordId, Map<String, Pair> byId) {
    if (byId.containsKey(recordId)) {
      return recordId;
    }
    int open = recordId.lastIndexOf('[');
    if (open >= 0 && recordId.endsWith("]")) {
      String inner = recordId.substring(open + 1, recordId.length() - 1);
      if (byId.containsKey(inner)) {
        return inner;
      }
    }
    throw new IllegalStateException("record id " + recordId + " names no pair of the set");
  }

  /** Record (pair id) → backend (route) → candidate. */
  private static Map<String, Map<String, Candidate>> pools(Path run, Map<String, Pair> byId)
      throws IOException {
    Map<String, Map<String, Candidate>> pools = new HashMap<>();
    for (JsonNode n : lines(run.resolve("candidates"))) {
      Candidate cand = CandidateLines.parse(n.toString());
      pools.computeIfAbsent(pairId(cand.recordId(), byId), x -> new HashMap<>())
          .put(cand.backend(), cand);
    }
    return pools;
  }

  /** Pair id → the backend chosen/ names as its source. */
  private static Map<String, String> chosen(Path run, Map<String, Pair> byId) throws IOException {
    Map<String, String> out = new HashMap<>();
    for (JsonNode n : lines(run.resolve("chosen"))) {
      out.put(pairId(n.path("record_id").asText(), byId), n.path("source").asText());
    }
    return out;
  }

  private static Map<String, Pair> byId(List<Pair> pairs) {
    Map<String, Pair> byId = new HashMap<>();
    pairs.forEach(p -> byId.put(p.id(), p));
    return byId;
  }

  private static boolean gated(Candidate c, RankingPolicy policy) {
    return !c.valid() || !policy.gateFailures(c).isEmpty();
  }

  /**
   * Run A. Ground truth is the benchmark's own routing (which route served the reference, which
   * one each corruption); the pipeline's outputs say what it did with them. The gates are
   * recomputed from each candidate's written measures under the run's printed policy, and checked
   * against the pipeline's own choices: a record whose chosen source contradicts them is counted.
   */
  private static void summarizeA(List<Pair> pairs, Path a) throws IOException {
    Map<String, Pair> byId = byId(pairs);
    RankingPolicy policy = policyOf(a);
    Map<String, Map<String, Candidate>> pools = pools(a, byId);
    Map<String, String> chosen = chosen(a, byId);
    Map<Kind, int[]> caught = new EnumMap<>(Kind.class);
    Map<String, Integer> refGates = new TreeMap<>();
    Map<String, Integer> winners = new TreeMap<>();
    int refRejected = 0;
    int missing = 0;
    int contradictions = 0;
    int refChosen = 0;
    for (Pair p : pairs) {
      Map<String, Candidate> pool = pools.getOrDefault(p.id(), Map.of());
      Candidate ref = pool.get(Kind.REFERENCE.route);
      boolean refFails = ref == null || gated(ref, policy);
      if (ref == null) {
        missing++;
      } else if (refFails) {
        refRejected++;
        (ref.valid() ? policy.gateFailures(ref) : List.of("invalid: " + ref.reason()))
            .forEach(g -> refGates.merge(g.replaceAll(" \\(.*", ""), 1, Integer::sum));
      }
      boolean anyUncaught = false;
      boolean uncaughtAbove = false;
      for (Kind k : Kind.values()) {
        Candidate x = pool.get(k.route);
        if (k == Kind.REFERENCE || x == null && !k.gateable()) {
          continue;
        }
        boolean counted = k.gateable() && !CorruptionSet.answer(k, p, pairs).unchanged();
        if (x == null) {
          missing++;
          continue;
        }
        boolean isCaught = gated(x, policy) || !refFails && x.rankScore() < ref.rankScore();
        if (counted) {
          int[] f = caught.computeIfAbsent(k, y -> new int[2]);
          f[1]++;
          f[0] += isCaught ? 1 : 0;
        }
        anyUncaught |= !isCaught;
        uncaughtAbove |= !isCaught && !refFails && x.rankScore() > ref.rankScore();
      }
      String winner = chosen.get(p.id());
      winners.merge(winner == null ? "(rejected)" : winner, 1, Integer::sum);
      boolean refWon = Kind.REFERENCE.route.equals(winner);
      refChosen += refWon ? 1 : 0;
      // The reference wins exactly when it passes and nothing uncaught ranks above it.
      if (refWon && (refFails || uncaughtAbove) || !refWon && !refFails && !anyUncaught) {
        contradictions++;
      }
    }
    int records = pairs.size();
    JsonNode report = JSON.readTree(a.resolve("report.json").toFile());
    System.out.println("== run A: reference + 8 gate-able corruptions, " + records + " records");
    System.out.println("counts " + report.get("counts") + "; chosen source: " + winners);
    caught.forEach((k, f) -> System.out.printf(Locale.ROOT, "caught %-9s %d/%d = %.1f%%%n",
        k.route, f[0], f[1], 100.0 * f[0] / f[1]));
    System.out.printf(Locale.ROOT, "references falsely rejected %d/%d = %.1f%% %s%n", refRejected,
        records, 100.0 * refRejected / records, refGates);
    System.out.printf(Locale.ROOT, "reference chosen %d/%d = %.1f%%%n", refChosen, records,
        100.0 * refChosen / records);
    System.out.println("candidates missing from candidates/: " + missing
        + "; records whose choice contradicts the recomputed gates: " + contradictions);
  }

  /** Run B: only corrupt backends; every record should be rejected, and by the gates. */
  private static void summarizeB(List<Pair> pairs, Path b) throws IOException {
    Map<String, Pair> byId = byId(pairs);
    JsonNode counts = JSON.readTree(b.resolve("report.json").toFile()).get("counts");
    Map<String, Integer> why = new TreeMap<>();
    for (JsonNode r : lines(b.resolve("rejected"))) {
      String reason = r.path("reason").asText();
      why.merge(reason.replaceAll(":.*", ""), 1, Integer::sum);
    }
    Map<String, Integer> winners = new TreeMap<>();
    chosen(b, byId).values().forEach(w -> winners.merge(w, 1, Integer::sum));
    long in = counts.get("input").asLong();
    long rejected = counts.get("rejected").asLong();
    System.out.println("== run B: corrupt backends only: counts " + counts);
    System.out.printf(Locale.ROOT, "rejected %d/%d = %.1f%%; reasons %s; chosen anyway: %s%n",
        rejected, in, 100.0 * rejected / in, why, winners);
  }

  /** Runs C and D: the reference and "unrelated". */
  private static void summarizeC(String title, Path c) throws IOException {
    RankingPolicy policy = policyOf(c);
    Map<String, Map<String, Candidate>> pools = new HashMap<>();
    for (JsonNode n : lines(c.resolve("candidates"))) {
      Candidate cand = CandidateLines.parse(n.toString());
      pools.computeIfAbsent(cand.recordId(), x -> new HashMap<>()).put(cand.backend(), cand);
    }
    int below = 0;
    int gatedUnrelated = 0;
    int refGated = 0;
    for (Map<String, Candidate> pool : pools.values()) {
      Candidate ref = pool.get(Kind.REFERENCE.route);
      Candidate un = pool.get(Kind.UNRELATED.route);
      boolean gated = un == null || gated(un, policy);
      boolean refOk = ref != null && !gated(ref, policy);
      gatedUnrelated += gated ? 1 : 0;
      refGated += refOk ? 0 : 1;
      if (gated || refOk && un.rankScore() < ref.rankScore()) {
        below++;
      }
    }
    JsonNode counts = JSON.readTree(c.resolve("report.json").toFile()).get("counts");
    System.out.printf(Locale.ROOT,
        "== run %s: unrelated caught (gated or ranked below the reference) %d/%d = %.1f%%"
            + " (gated: %d; references gated: %d); counts %s%n", title, below, pools.size(),
        100.0 * below / pools.size(), gatedUnrelated, refGated, counts);
  }
}
