package dev.tarjama.transforms.domain;

import org.apache.beam.sdk.coders.DefaultCoder;
import java.util.Objects;

/**
 * One full translation of a record by one backend and candidate index.
 *
 * <p>{@code json} is the record in its own format with every translated field replaced; {@code
 * valid} is false when validation failed (a protected span missing, altered or out of order,
 * unbalanced think tags, tool-call JSON changed, a chunk that could not be translated) and {@code
 * reason} says why; an invalid candidate stays in the pool but cannot win. {@code sourceText} and
 * {@code targetText} are the translated prose only, protected spans removed: what LR and SCR
 * measure. Scores are NaN until {@code Score} has run; {@code reward} stays NaN without a reward
 * model.
 */
@DefaultCoder(ModelCoders.CandidateCoder.class)
public final class Candidate {
  /**
   * How a reason starts when a chunk of the candidate could not be translated at all (not a
   * quality verdict): ranking sends a record whose candidates all say so to the dead letters.
   */
  public static final String TRANSLATION_FAILED = "translation failed";

  /**
   * The named reason of a candidate with a chunk cut at the length limit even after the retry
   * with more room ({@link ChunkTranslation#truncated}): such a candidate is invalid, and its
   * reason starts with this word.
   */
  public static final String TRUNCATED = "truncated";

  /**
   * The named reason of a candidate with a chunk the quality judge ({@code --qe-judge}) said is
   * not a faithful translation ({@link ChunkTranslation#meaning} = reject).
   */
  public static final String MEANING = "meaning";

  public final String recordId;
  public final String split;
  public final String backend;
  public final int candidate;
  public final String json;
  public final boolean valid;
  public final String reason;
  public final String sourceText;
  public final String targetText;
  public final double lr;
  public final double scr;
  public final boolean scrFlagged;
  public final double reward;
  public final double rankScore;
  public final long tokensIn;
  public final long tokensOut;
  /** Quality-estimation signals (empty before {@code EstimateQuality}). */
  public final QualityMeasures quality;

  public Candidate(
      String recordId,
      String split,
      String backend,
      int candidate,
      String json,
      boolean valid,
      String reason,
      String sourceText,
      String targetText,
      double lr,
      double scr,
      boolean scrFlagged,
      double reward,
      double rankScore,
      long tokensIn,
      long tokensOut,
      QualityMeasures quality) {
    this.recordId = recordId;
    this.split = split;
    this.backend = backend;
    this.candidate = candidate;
    this.json = json;
    this.valid = valid;
    this.reason = reason;
    this.sourceText = sourceText;
    this.targetText = targetText;
    this.lr = lr;
    this.scr = scr;
    this.scrFlagged = scrFlagged;
    this.reward = reward;
    this.rankScore = rankScore;
    this.tokensIn = tokensIn;
    this.tokensOut = tokensOut;
    this.quality = Objects.requireNonNull(quality);
  }

  /** A freshly reassembled candidate, not yet scored. */
  public static Candidate unscored(
      String recordId,
      String split,
      String backend,
      int candidate,
      String json,
      boolean valid,
      String reason,
      String sourceText,
      String targetText,
      long tokensIn,
      long tokensOut) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText,
        Double.NaN, Double.NaN, false, Double.NaN, Double.NaN, tokensIn, tokensOut,
        QualityMeasures.none());
  }

  public Candidate withMetrics(double lr, double scr, boolean scrFlagged) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withReward(double reward) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withQuality(QualityMeasures quality) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public Candidate withRankScore(double rankScore) {
    return new Candidate(
        recordId, split, backend, candidate, json, valid, reason, sourceText, targetText, lr, scr,
        scrFlagged, reward, rankScore, tokensIn, tokensOut, quality);
  }

  public CandidateKey candidateKey() {
    return new CandidateKey(recordId, backend, candidate);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Candidate c
        && candidate == c.candidate
        && valid == c.valid
        && scrFlagged == c.scrFlagged
        && Double.compare(lr, c.lr) == 0
        && Double.compare(scr, c.scr) == 0
        && Double.compare(reward, c.reward) == 0
        && Double.compare(rankScore, c.rankScore) == 0
        && tokensIn == c.tokensIn
        && tokensOut == c.tokensOut
        && recordId.equals(c.recordId)
        && split.equals(c.split)
        && backend.equals(c.backend)
        && json.equals(c.json)
        && reason.equals(c.reason)
        && sourceText.equals(c.sourceText)
        && targetText.equals(c.targetText)
        && quality.equals(c.quality);
  }

  @Override
  public int hashCode() {
    return Objects.hash(recordId, backend, candidate, json, valid, lr, scr, rankScore);
  }

  @Override
  public String toString() {
    return "Candidate{" + recordId + " " + backend + "/" + candidate + (valid ? "" : " INVALID " + reason)
        + " LR=" + lr + " SCR=" + scr + " rank=" + rankScore + "}";
  }
}
