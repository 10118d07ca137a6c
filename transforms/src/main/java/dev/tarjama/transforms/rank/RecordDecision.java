package dev.tarjama.transforms.rank;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.DeadLetter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The ranking of one record's candidate pool, as plain logic ({@link RankCandidates} wraps it).
 *
 * <ol>
 *   <li>Candidates are ordered best first: higher rank_score, then higher raw reward, then higher
 *       SCR, then a stable hash of record, backend and index ({@link #tieHash}), then backend
 *       name and candidate index (NaN scores last), so the outcome never
 *       depends on arrival order.
 *   <li>The winner is the first <em>valid, scored</em> candidate that fails no quality gate
 *       ({@link RankingPolicy#gateFailures}) and passes the policy's thresholds for the record's
 *       split → {@link Outcome#CHOSEN}.
 *   <li>Valid candidates but every one fails a gate → {@link Outcome#REJECTED} with the best of
 *       them and {@code "every candidate failed a quality gate: backend/index: numbers (missing
 *       1000), repetition (…); …"}: every candidate's reasons (an invalid one's validation
 *       reason). An invalid candidate never wins,
 *       whatever its score; thresholds filter, ranking chooses among the survivors.
 *   <li>Valid candidates but none passes → {@link Outcome#REJECTED} with the best valid one and
 *       {@code "below threshold: LR 0.41 < 0.6"} (the best one's failures).
 *   <li>No valid candidate → {@link Outcome#REJECTED} with the best of all and {@code "no valid
 *       candidate: backend/index: reason; …"}, unless every candidate's reason starts with
 *       {@value #TRANSLATION_FAILED}: then the record was never translated, and it is a {@link
 *       Outcome#DEAD_LETTER} of stage {@code translate} whose {@code original} is the candidate's
 *       {@code json} (reassembly puts the original record there) and whose {@code field} is the
 *       first JSON Pointer a reason names after {@code "field "} or {@code "at "} (else "").
 * </ol>
 *
 * @param outcome chosen, rejected or dead letter
 * @param ranked the ranked record, for {@link Outcome#CHOSEN} and {@link Outcome#REJECTED} (else
 *     null)
 * @param deadLetter the dead letter, for {@link Outcome#DEAD_LETTER} (else null)
 */
public record RecordDecision(Outcome outcome, RankedRecord ranked, DeadLetter deadLetter) {
  /** The reason prefix reassembly writes when a candidate's chunks could not be translated. */
  public static final String TRANSLATION_FAILED = Candidate.TRANSLATION_FAILED;

  public static final String NO_VALID = "no valid candidate: ";
  public static final String BELOW_THRESHOLD = "below threshold: ";
  public static final String QUALITY_GATES = "every candidate failed a quality gate: ";

  private static final Pattern FIELD =
      Pattern.compile("\\b(?:field|at) (/[^\\s,;:()\\[\\]\"']+)");

  /** Best first; deterministic for any pool. */
  public static final Comparator<Candidate> BEST_FIRST =
      Comparator.<Candidate>comparingDouble(c -> nanLowest(c.rankScore()))
          .thenComparingDouble(c -> nanLowest(c.reward()))
          .thenComparingDouble(c -> nanLowest(c.scr()))
          .reversed()
          .thenComparingLong(c -> tieHash(c.recordId(), c.backend(), c.candidate()))
          .thenComparing(c -> c.backend())
          .thenComparingInt(c -> c.candidate());

  /**
   * The exact-tie order: FNV-1a (64 bit) over the UTF-8 of {@code record \0 backend \0 index}, so
   * ties are spread evenly over backends (breaking them by name made the first backend win every
   * one) and the same on every JVM.
   */
  public static long tieHash(String recordId, String backend, int candidate) {
    long h = 0xcbf29ce484222325L;
    byte[] bytes = (recordId + '\0' + backend + '\0' + candidate)
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  private static final Comparator<Candidate> BY_KEY =
      Comparator.<Candidate, String>comparing(c -> c.backend()).thenComparingInt(c -> c.candidate());

  public enum Outcome {
    CHOSEN,
    REJECTED,
    DEAD_LETTER
  }

  /** Exactly one of {@code ranked} and {@code deadLetter} is set, as {@code outcome} says. */
  public RecordDecision {
    if ((outcome == Outcome.DEAD_LETTER) != (deadLetter != null)
        || (outcome == Outcome.DEAD_LETTER) == (ranked != null)) {
      throw new IllegalArgumentException("a " + outcome + " decision with ranked=" + ranked
          + " and deadLetter=" + deadLetter);
    }
  }

  private static double nanLowest(double x) {
    return Double.isNaN(x) ? Double.NEGATIVE_INFINITY : x;
  }

  private static boolean eligible(Candidate c) {
    return c.valid() && !Double.isNaN(c.rankScore());
  }

  /**
   * Decides one record from all its candidates (at least one, all with this record id).
   *
   * @throws IllegalArgumentException when {@code candidates} is empty
   */
  public static RecordDecision decide(
      String recordId, Iterable<Candidate> candidates, RankingPolicy policy) {
    List<Candidate> pool = new ArrayList<>();
    candidates.forEach(pool::add);
    if (pool.isEmpty()) {
      throw new IllegalArgumentException("record " + recordId + " has no candidate");
    }
    pool.sort(BEST_FIRST);
    String split = pool.get(0).split();
    int validCount = (int) pool.stream().filter(c -> c.valid()).count();
    List<Candidate> eligible = pool.stream().filter(RecordDecision::eligible).toList();

    if (eligible.isEmpty()) {
      List<Candidate> byKey = new ArrayList<>(pool);
      byKey.sort(BY_KEY);
      List<String> reasons = new ArrayList<>();
      for (Candidate c : byKey) {
        reasons.add(c.backend() + "/" + c.candidate() + ": " + (c.valid() ? "not scored" : c.reason()));
      }
      if (validCount == 0 && byKey.stream().allMatch(c -> c.reason().startsWith(TRANSLATION_FAILED))) {
        String field = byKey.stream().map(c -> fieldNamedBy(c.reason())).filter(f -> !f.isEmpty())
            .findFirst().orElse("");
        return new RecordDecision(Outcome.DEAD_LETTER, null, DeadLetter.of(recordId, "translate",
            field, "every candidate failed to translate: " + String.join("; ", reasons),
            byKey.get(0).json()));
      }
      return rejected(recordId, split, pool.get(0), pool.size(), validCount,
          NO_VALID + String.join("; ", reasons));
    }

    List<Candidate> passing = new ArrayList<>();
    for (Candidate c : eligible) {
      if (policy.gateFailures(c).isEmpty()) {
        passing.add(c);
      }
    }
    if (passing.isEmpty()) {
      List<Candidate> byKey = new ArrayList<>(pool);
      byKey.sort(BY_KEY);
      List<String> reasons = new ArrayList<>();
      for (Candidate c : byKey) {
        List<String> gates = c.valid() ? policy.gateFailures(c) : List.of();
        reasons.add(c.backend() + "/" + c.candidate() + ": "
            + (!c.valid() ? c.reason() : gates.isEmpty() ? "not scored" : String.join(", ", gates)));
      }
      return rejected(recordId, split, eligible.get(0), pool.size(), validCount,
          QUALITY_GATES + String.join("; ", reasons));
    }
    for (Candidate c : passing) {
      if (policy.violation(c).isEmpty()) {
        return new RecordDecision(Outcome.CHOSEN,
            new RankedRecord(recordId, split, c, pool.size(), validCount, ""), null);
      }
    }
    Candidate best = passing.get(0);
    Optional<String> why = policy.violation(best);
    return rejected(recordId, split, best, pool.size(), validCount, BELOW_THRESHOLD + why.get());
  }

  /**
   * Whether {@link #decide} would choose a candidate of {@code pool} under {@code policy}: some
   * valid, scored candidate fails no quality gate and passes the thresholds. Which one would win
   * does not change that, so nothing is sorted and no reason is written (a threshold sweep asks
   * this for every cell of its grid).
   */
  public static boolean choosesAny(List<Candidate> pool, RankingPolicy policy) {
    return anyPassesThresholds(passingGates(pool, policy), policy);
  }

  /** The valid, scored candidates of {@code pool} that fail none of {@code policy}'s gates. */
  public static List<Candidate> passingGates(List<Candidate> pool, RankingPolicy policy) {
    List<Candidate> passing = new ArrayList<>();
    for (Candidate c : pool) {
      if (eligible(c) && policy.gateFailures(c).isEmpty()) {
        passing.add(c);
      }
    }
    return passing;
  }

  /**
   * Whether one of {@code passing} ({@link #passingGates} under a policy with the same gates)
   * passes {@code policy}'s thresholds: {@link #choosesAny} for policies that differ by their
   * thresholds alone, with the gates checked once.
   */
  public static boolean anyPassesThresholds(List<Candidate> passing, RankingPolicy policy) {
    for (Candidate c : passing) {
      if (policy.violation(c).isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private static RecordDecision rejected(
      String recordId, String split, Candidate best, int count, int validCount, String reason) {
    return new RecordDecision(Outcome.REJECTED,
        new RankedRecord(recordId, split, best, count, validCount, reason), null);
  }

  /** The JSON Pointer a failure reason names ({@code "… field /messages/1/content: …"}), or "". */
  static String fieldNamedBy(String reason) {
    Matcher m = FIELD.matcher(reason);
    return m.find() ? m.group(1) : "";
  }
}
