package dev.tarjama.transforms.quality;

import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.domain.QualityMeasures;
import dev.tarjama.transforms.domain.QualityMeasures.Measure;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The signals of a run, applied to one candidate: the plain logic {@link EstimateQuality} wraps.
 * Immutable. A signal that throws on a candidate gives a not-judged measure naming the error
 * (the candidate is kept and the other signals still count).
 */
public final class QualityEstimator implements Serializable {
  private static final long serialVersionUID = 1L;

  private final List<QualitySignal> signals;

  private QualityEstimator(List<QualitySignal> signals) {
    this.signals = List.copyOf(signals);
  }

  /**
   * The default signals for a target language (e.g. {@code ar}) and LR's r₀: repetition,
   * compression, untranslated (share and run), numbers, foreign letters, question, lines, emoji,
   * too short, unfinished. Add language ID with {@link #withSignal}({@link LanguageSignal}).
   */
  public static QualityEstimator defaults(String language, double r0) {
    return new QualityEstimator(List.of(new RepetitionSignal(), new CompressionSignal(),
        new UntranslatedSignal(), new UntranslatedRunSignal(), new NumbersSignal(),
        ForeignLettersSignal.forLanguage(language), new QuestionSignal(), new LinesSignal(),
        new EmojiSignal(), TooShortSignal.withR0(r0), UnfinishedSignal.withR0(r0)));
  }

  public static QualityEstimator of(List<QualitySignal> signals) {
    return new QualityEstimator(signals);
  }

  /** These signals and {@code signal} (replacing one of the same name). */
  public QualityEstimator withSignal(QualitySignal signal) {
    List<QualitySignal> next = new ArrayList<>();
    for (QualitySignal s : signals) {
      if (!s.name().equals(signal.name())) {
        next.add(s);
      }
    }
    next.add(Objects.requireNonNull(signal));
    return new QualityEstimator(next);
  }

  public List<QualitySignal> signals() {
    return signals;
  }

  /** Opens every signal's resources ({@link QualitySignal#open}). */
  public void open() {
    signals.forEach(QualitySignal::open);
  }

  /** Closes every signal's resources ({@link QualitySignal#close}). */
  public void close() {
    signals.forEach(QualitySignal::close);
  }

  /** Every signal on {@code input}, by name. */
  public QualityMeasures measure(QualityInput input) {
    TreeMap<String, Measure> out = new TreeMap<>();
    for (QualitySignal s : signals) {
      Measure m;
      try {
        m = s.measure(input);
      } catch (RuntimeException e) {
        m = Measure.notJudged("signal failed: " + e);
      }
      out.put(s.name(), m);
    }
    return QualityMeasures.of(out);
  }

  /**
   * {@code c} with its measures: valid candidates only (an invalid one cannot win, and one that
   * failed to translate has no target to measure); its own existing measures are kept unless a
   * signal of the same name replaces them.
   */
  public Candidate estimate(Candidate c) {
    if (!c.valid()) {
      return c;
    }
    QualityMeasures measured = measure(new QualityInput(c.split(), c.sourceText(), c.targetText()));
    QualityMeasures merged = c.quality();
    for (var e : measured.asMap().entrySet()) {
      merged = merged.with(e.getKey(), e.getValue());
    }
    return c.withQuality(merged);
  }
}
