package dev.tarjama.transforms.evaluate;

import java.util.Objects;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * What one system produced for one segment: the hypothesis, or, when the system could not
 * translate it, a non-empty {@code error} (the hypothesis is then empty and scores as such).
 */
@DefaultCoder(EvaluationCoders.SystemOutputCoder.class)
public record SystemOutput(String system, long index, String hypothesis, String error) {
  public SystemOutput {
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(hypothesis, "hypothesis");
    Objects.requireNonNull(error, "error");
  }

  public static SystemOutput of(String system, long index, String hypothesis) {
    return new SystemOutput(system, index, hypothesis, "");
  }

  public static SystemOutput failed(String system, long index, String error) {
    if (error.isEmpty()) {
      throw new IllegalArgumentException("a failed output needs its error");
    }
    return new SystemOutput(system, index, "", error);
  }

  public boolean failed() {
    return !error.isEmpty();
  }

  @Override
  public String toString() {
    return "SystemOutput{" + system + "#" + index + (failed() ? " FAILED: " + error : ": " + hypothesis)
        + "}";
  }
}
