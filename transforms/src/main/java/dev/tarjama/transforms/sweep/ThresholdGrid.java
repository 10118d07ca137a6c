package dev.tarjama.transforms.sweep;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The threshold values a sweep tries for one metric: {@code FROM:TO:STEP} (both ends included,
 * decimal steps without float drift: 0.60:0.90:0.05 is 0.6, 0.65, …, 0.9) or a comma list.
 */
public final class ThresholdGrid implements Serializable {
  private static final long serialVersionUID = 1L;

  private final double[] values;

  private ThresholdGrid(double[] values) {
    this.values = values;
  }

  /**
   * @throws IllegalArgumentException naming {@code what} and the spec when it does not parse, is
   *     empty, leaves [0, 1], or is not increasing
   */
  public static ThresholdGrid parse(String what, String spec) {
    List<BigDecimal> out = new ArrayList<>();
    try {
      if (spec.contains(":")) {
        String[] parts = spec.split(":");
        if (parts.length != 3) {
          throw new IllegalArgumentException(what + " '" + spec + "' is not FROM:TO:STEP");
        }
        BigDecimal from = new BigDecimal(parts[0].trim());
        BigDecimal to = new BigDecimal(parts[1].trim());
        BigDecimal step = new BigDecimal(parts[2].trim());
        if (step.signum() <= 0) {
          throw new IllegalArgumentException(what + " '" + spec + "': the step must be > 0");
        }
        for (BigDecimal v = from; v.compareTo(to) <= 0; v = v.add(step)) {
          out.add(v);
        }
      } else {
        for (String v : spec.split(",")) {
          if (!v.isBlank()) {
            out.add(new BigDecimal(v.trim()));
          }
        }
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + spec + "' holds something that is not a number");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(what + " '" + spec + "' gives no value");
    }
    double[] values = new double[out.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = out.get(i).doubleValue();
      if (!(values[i] >= 0 && values[i] <= 1)) {
        throw new IllegalArgumentException(what + " '" + spec + "': " + out.get(i) + " is not in [0, 1]");
      }
      if (i > 0 && !(values[i] > values[i - 1])) {
        throw new IllegalArgumentException(what + " '" + spec + "' is not increasing");
      }
    }
    return new ThresholdGrid(values);
  }

  public int size() {
    return values.length;
  }

  public double get(int i) {
    return values[i];
  }

  /** The index of {@code value} in the grid (within 1e-9), or -1. */
  public int indexOf(double value) {
    for (int i = 0; i < values.length; i++) {
      if (Math.abs(values[i] - value) < 1e-9) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (double v : values) {
      s.append(s.length() == 0 ? "" : ",").append(SweepTable.threshold(v));
    }
    return s.toString();
  }
}
