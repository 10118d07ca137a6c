package dev.tarjama.models.openai;

/**
 * A per-minute allowance (tokens or requests) as a token bucket: refilled continuously at {@code
 * perMinute / 60 s}, holding at most {@link #capacity()} = ten seconds' worth, so a client can
 * burst a little but cannot spend a whole minute's allowance in its first second (hosted APIs
 * enforce their per-minute limits over shorter windows).
 *
 * <p>Amounts taken are estimates (a request's prompt plus its {@code max_tokens}); {@link
 * #give} corrects them once the server's usage is known. The level may go below zero (a request
 * larger than the capacity, or a correction upwards): later requests then wait until the debt is
 * refilled. Not thread-safe: its owner ({@link AdaptiveLimiter}) locks.
 */
final class RateBudget {
  /** Seconds of refill the bucket holds. */
  static final double BURST_SECONDS = 10;

  private final long perMinute;
  private final double perNano;
  private final double capacity;
  private double level;
  private long updated;

  RateBudget(long perMinute, long nowNanos) {
    if (perMinute < 1) {
      throw new IllegalArgumentException("a per-minute budget must be >= 1: " + perMinute);
    }
    this.perMinute = perMinute;
    this.perNano = perMinute / 60e9;
    this.capacity = Math.max(1.0, perMinute * BURST_SECONDS / 60.0);
    this.level = capacity;
    this.updated = nowNanos;
  }

  long perMinute() {
    return perMinute;
  }

  double capacity() {
    return capacity;
  }

  double level(long nowNanos) {
    refill(nowNanos);
    return level;
  }

  /**
   * Nanoseconds until {@code amount} may be taken: 0 when it may be now. An amount above the
   * capacity may be taken when the bucket is full (else it would never go).
   */
  long waitNanos(double amount, long nowNanos) {
    refill(nowNanos);
    double need = Math.min(amount, capacity);
    if (level >= need) {
      return 0;
    }
    return Math.max(1, (long) Math.ceil((need - level) / perNano));
  }

  void take(double amount, long nowNanos) {
    refill(nowNanos);
    level -= amount;
  }

  /** Gives back (a positive amount) or charges more (a negative one) after the fact. */
  void give(double amount, long nowNanos) {
    refill(nowNanos);
    level = Math.min(capacity, level + amount);
  }

  private void refill(long nowNanos) {
    long elapsed = nowNanos - updated;
    if (elapsed > 0) {
      level = Math.min(capacity, level + elapsed * perNano);
      updated = nowNanos;
    }
  }
}
