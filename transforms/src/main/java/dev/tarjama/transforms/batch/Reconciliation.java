package dev.tarjama.transforms.batch;

import dev.tarjama.models.openai.BackendConfig;
import dev.tarjama.models.openai.Completion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reconciles one finished batch line by line: every request line submitted gets exactly one
 * {@link Outcome}, whatever the provider's counts say. Providers' output and error files are
 * known to disagree with their own counts, to leave cancelled or expired lines out of both, and
 * to name a line twice, so nothing is inferred from counts: only lines are read.
 *
 * <ul>
 *   <li>{@link Outcome#COMPLETED}: in the output file once, HTTP 200, a readable completion with
 *       the choices asked for, and not in the error file;
 *   <li>{@link Outcome#CONFLICT}: in both files, or twice in one: no answer is trusted;
 *   <li>{@link Outcome#EXPIRED}: in the error file with {@code batch_expired} (a batch that ran
 *       out of its window);
 *   <li>{@link Outcome#FAILED}: an error line, a non-200 response, an unreadable body, or a
 *       batch that failed as a whole (validation) with neither file;
 *   <li>{@link Outcome#MISSING}: in neither file.
 * </ul>
 *
 * Everything but {@code COMPLETED} is to be submitted again (bounded by the caller). Lines whose
 * {@code custom_id} was not submitted in this batch are counted as {@code unexpected} and
 * ignored; lines that are not JSON are counted as {@code unreadable}.
 */
public final class Reconciliation {
  private Reconciliation() {}

  public enum Outcome {
    COMPLETED,
    CONFLICT,
    EXPIRED,
    FAILED,
    MISSING
  }

  /** One submitted line's outcome: the completion when completed, else why not. */
  public record Line(BatchLines.Request request, Outcome outcome, Completion completion,
      String reason) {}

  /** Every submitted line's outcome, in submission order, and the lines that fit no request. */
  public record Result(List<Line> lines, int unexpected, int unreadable) {
    public long count(Outcome outcome) {
      return lines.stream().filter(l -> l.outcome() == outcome).count();
    }
  }

  /**
   * @param submitted the batch's request lines
   * @param output the output file's lines (none when the batch has no output file)
   * @param errors the error file's lines (none when it has no error file)
   * @param batchStatus the batch's final status ({@code completed}, {@code failed}, {@code
   *     expired}, {@code cancelled})
   * @param batchError what a failed batch reported ("" when nothing)
   */
  public static Result reconcile(
      List<BatchLines.Request> submitted,
      BackendConfig.Endpoint endpoint,
      List<String> output,
      List<String> errors,
      String batchStatus,
      String batchError) {
    Map<String, BatchLines.Request> byId = new LinkedHashMap<>();
    for (BatchLines.Request r : submitted) {
      byId.put(r.customId(), r);
    }
    Map<String, List<BatchLines.Result>> inOutput = new HashMap<>();
    Map<String, List<BatchLines.Result>> inErrors = new HashMap<>();
    int[] unexpected = {0};
    int[] unreadable = {0};
    read(output, byId, inOutput, unexpected, unreadable);
    read(errors, byId, inErrors, unexpected, unreadable);
    boolean noFiles = output.isEmpty() && errors.isEmpty();
    List<Line> lines = new ArrayList<>(byId.size());
    for (BatchLines.Request r : byId.values()) {
      List<BatchLines.Result> out = inOutput.getOrDefault(r.customId(), List.of());
      List<BatchLines.Result> err = inErrors.getOrDefault(r.customId(), List.of());
      if (out.size() + err.size() > 1) {
        lines.add(new Line(r, Outcome.CONFLICT, null,
            out.size() > 0 && err.size() > 0 ? "in both the output and the error file"
                : "in a result file " + (out.size() + err.size()) + " times"));
      } else if (out.size() == 1) {
        BatchLines.Result result = out.get(0);
        if (!result.ok()) {
          lines.add(new Line(r, expired(result) ? Outcome.EXPIRED : Outcome.FAILED, null,
              result.describe()));
          continue;
        }
        try {
          Completion c = BatchLines.completion(result.body(), endpoint, r.prompt(), r.candidates());
          lines.add(new Line(r, Outcome.COMPLETED, c, ""));
        } catch (IllegalArgumentException e) {
          lines.add(new Line(r, Outcome.FAILED, null, "unreadable answer: " + e.getMessage()));
        }
      } else if (err.size() == 1) {
        BatchLines.Result result = err.get(0);
        lines.add(new Line(r, expired(result) ? Outcome.EXPIRED : Outcome.FAILED, null,
            result.describe()));
      } else if (noFiles && "failed".equals(batchStatus)) {
        lines.add(new Line(r, Outcome.FAILED, null,
            "the batch failed" + (batchError.isEmpty() ? "" : ": " + batchError)));
      } else {
        lines.add(new Line(r, Outcome.MISSING, null,
            "in neither the output nor the error file (batch " + batchStatus + ")"));
      }
    }
    return new Result(lines, unexpected[0], unreadable[0]);
  }

  private static boolean expired(BatchLines.Result result) {
    return "batch_expired".equals(result.errorCode());
  }

  private static void read(
      List<String> file,
      Map<String, BatchLines.Request> byId,
      Map<String, List<BatchLines.Result>> into,
      int[] unexpected,
      int[] unreadable) {
    for (String line : file) {
      if (line.isBlank()) {
        continue;
      }
      BatchLines.Result result;
      try {
        result = BatchLines.parse(line);
      } catch (IllegalArgumentException e) {
        unreadable[0]++;
        continue;
      }
      if (!byId.containsKey(result.customId())) {
        unexpected[0]++;
        continue;
      }
      into.computeIfAbsent(result.customId(), id -> new ArrayList<>()).add(result);
    }
  }
}
