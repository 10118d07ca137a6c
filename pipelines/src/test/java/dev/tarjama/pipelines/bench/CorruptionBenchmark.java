package dev.tarjama.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.pipelines.Tarjama;
import dev.tarjama.pipelines.bench.CorruptionSet.Answer;
import dev.tarjama.pipelines.bench.CorruptionSet.Kind;
import dev.tarjama.pipelines.bench.CorruptionSet.Pair;
import dev.tarjama.transforms.io.CandidateLines;
import dev.tarjama.transforms.model.Candidate;
import dev.tarjama.transforms.model.QualityMeasures;
import dev.tarjama.transforms.quality.QualityEstimator;
import dev.tarjama.transforms.quality.QualityInput;
import dev.tarjama.transforms.rank.RankingPolicy;
import dev.tarjama.transforms.translate.LoopbackTranslator;
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
 *   <li>default: three runs on the {@code test} split (never tuned on): (A) the reference and
 *       the eight gate-able corruptions — reference chosen, caught per kind (PLAN.md: fails a gate
 *       or ranks strictly below the reference), references falsely rejected; (B) the eight
 *       corruptions alone — rejected share; (C) the reference and "unrelated" — the share ranked
 *       below the reference without a judge.
 * </ul>
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
    Path shared = Path.of(System.getProperty("tarjama.shared", "../shared"));
    boolean tune = List.of(args).contains("--tune");
    boolean signals = List.of(args).contains("--signals");
    List<Pair> pairs = unique(CorruptionSet.pairs(shared, tune ? "dev" : "test", 150, 50, 200));
    System.out.println((tune ? "dev" : "test") + " split: " + pairs.size() + " pairs");
    if (tune || signals) {
      tune(pairs);
    } else {
      Path out = Files.createTempDirectory("qe-bench");
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

  /** The three translate runs on the test split. */
  static void run(List<Pair> pairs, Path dir) throws Exception {
    Map<String, Pair> byEnglish = CorruptionSet.byEnglish(pairs);
    LoopbackTranslator.Builder builder = LoopbackTranslator.builder().threads(8);
    for (Kind k : Kind.values()) {
      builder.route(k.route, text -> {
        Pair p = byEnglish.get(text.strip());
        if (p == null) {
          return new LoopbackTranslator.Answer("", "stop");
        }
        Answer a = CorruptionSet.answer(k, p, pairs);
        return new LoopbackTranslator.Answer(a.text(), a.finishReason());
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
    try (LoopbackTranslator server = builder.start()) {
      List<Kind> a = new ArrayList<>(List.of(Kind.REFERENCE));
      a.addAll(gateable);
      long t0 = System.nanoTime();
      Path outA = translate(server, input, dir.resolve("A"), a);
      Path outB = translate(server, input, dir.resolve("B"), gateable);
      Path outC = translate(server, input, dir.resolve("C"), List.of(Kind.REFERENCE, Kind.UNRELATED));
      System.out.printf(Locale.ROOT, "three runs in %.0f s%n", (System.nanoTime() - t0) / 1e9);
      summarize(pairs, outA, outB, outC);
    }
  }

  private static Path translate(LoopbackTranslator server, Path input, Path out, List<Kind> kinds)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("translate", "--input=" + input,
        "--output=" + out, "--id-field=id", "--cache=none", "--targetParallelism=4"));
    for (Kind k : kinds) {
      args.add("--backend=name=" + k.route + ",kind=openai-chat,url=" + server.baseUrl(k.route)
          + ",model=m,prompt=hala,k=1,concurrency=8,retries=1");
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

  private static void summarize(List<Pair> pairs, Path a, Path b, Path c) throws IOException {
    Map<String, Pair> byId = new HashMap<>();
    pairs.forEach(p -> byId.put(p.id(), p));
    RankingPolicy policy = RankingPolicy.defaults();
    // Run A: candidates per record.
    Map<String, Map<String, Candidate>> pools = new HashMap<>();
    for (JsonNode n : lines(a.resolve("candidates"))) {
      Candidate cand = CandidateLines.parse(n.toString());
      pools.computeIfAbsent(cand.recordId, x -> new HashMap<>()).put(cand.backend, cand);
    }
    Map<Kind, int[]> caught = new EnumMap<>(Kind.class);
    int refRejected = 0;
    for (Map.Entry<String, Map<String, Candidate>> e : pools.entrySet()) {
      Pair p = byId.get(e.getKey());
      Candidate ref = e.getValue().get(Kind.REFERENCE.route);
      boolean refFails = ref == null || !ref.valid || !policy.gateFailures(ref).isEmpty();
      if (refFails) {
        refRejected++;
      }
      for (Kind k : Kind.values()) {
        if (!k.gateable() || CorruptionSet.answer(k, p, pairs).unchanged()) {
          continue;
        }
        Candidate x = e.getValue().get(k.route);
        boolean isCaught = x == null || !x.valid || !policy.gateFailures(x).isEmpty()
            || ref != null && !refFails && x.rankScore < ref.rankScore;
        int[] f = caught.computeIfAbsent(k, y -> new int[2]);
        f[1]++;
        f[0] += isCaught ? 1 : 0;
      }
    }
    int records = pools.size();
    long refChosen = lines(a.resolve("chosen")).stream()
        .filter(n -> Kind.REFERENCE.route.equals(n.path("source").asText())).count();
    JsonNode reportA = JSON.readTree(a.resolve("report.json").toFile());
    JsonNode reportB = JSON.readTree(b.resolve("report.json").toFile());
    System.out.println("== run A: reference + 8 gate-able corruptions, " + records + " records");
    System.out.println("counts " + reportA.get("counts"));
    caught.forEach((k, f) -> System.out.printf(Locale.ROOT, "caught %-9s %d/%d = %.1f%%%n",
        k.route, f[0], f[1], 100.0 * f[0] / f[1]));
    System.out.printf(Locale.ROOT, "references falsely rejected %d/%d = %.1f%%%n", refRejected,
        records, 100.0 * refRejected / records);
    System.out.printf(Locale.ROOT, "reference chosen %d/%d = %.1f%%%n", refChosen, records,
        100.0 * refChosen / records);
    long inB = reportB.get("counts").get("input").asLong();
    long rejB = reportB.get("counts").get("rejected").asLong();
    System.out.println("== run B: corrupt backends only: counts " + reportB.get("counts"));
    System.out.printf(Locale.ROOT, "rejected %d/%d = %.1f%%%n", rejB, inB, 100.0 * rejB / inB);
    Map<String, Map<String, Candidate>> poolsC = new HashMap<>();
    for (JsonNode n : lines(c.resolve("candidates"))) {
      Candidate cand = CandidateLines.parse(n.toString());
      poolsC.computeIfAbsent(cand.recordId, x -> new HashMap<>()).put(cand.backend, cand);
    }
    int below = 0;
    int gatedUnrelated = 0;
    for (Map<String, Candidate> pool : poolsC.values()) {
      Candidate ref = pool.get(Kind.REFERENCE.route);
      Candidate un = pool.get(Kind.UNRELATED.route);
      boolean gated = un == null || !un.valid || !policy.gateFailures(un).isEmpty();
      gatedUnrelated += gated ? 1 : 0;
      if (gated || ref != null && policy.gateFailures(ref).isEmpty()
          && un.rankScore < ref.rankScore) {
        below++;
      }
    }
    System.out.printf(Locale.ROOT,
        "== run C: unrelated caught (gated or ranked below the reference) without a judge %d/%d"
            + " = %.1f%% (gated: %d)%n", below, poolsC.size(), 100.0 * below / poolsC.size(),
        gatedUnrelated);
  }
}
