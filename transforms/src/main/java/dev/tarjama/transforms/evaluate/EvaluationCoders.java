package dev.tarjama.transforms.evaluate;

import static dev.tarjama.transforms.domain.ModelCoders.readUtf8;
import static dev.tarjama.transforms.domain.ModelCoders.writeUtf8;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Explicit, deterministic coders for the evaluation types, in the style of the domain model's
 * {@code ModelCoders}: each a {@link ModelCoders.Typed} writer and reader, fields in a fixed
 * order, strings as UTF-8, no Java serialization.
 */
public final class EvaluationCoders {
  private EvaluationCoders() {}

  /** Index, source, then the references. */
  public static final class SegmentCoder extends ModelCoders.Typed<EvaluationSegment> {
    public SegmentCoder() {
      super(EvaluationCoders::writeSegment, EvaluationCoders::readSegment);
    }
  }

  /** System, index, hypothesis, error. */
  public static final class SystemOutputCoder extends ModelCoders.Typed<SystemOutput> {
    public SystemOutputCoder() {
      super(EvaluationCoders::writeOutput, EvaluationCoders::readOutput);
    }
  }

  /** The summed statistics, array by array. */
  public static final class StatisticsCoder extends ModelCoders.Typed<EvaluationStatistics> {
    public StatisticsCoder() {
      super(EvaluationCoders::writeStatistics, EvaluationCoders::readStatistics);
    }
  }

  /** Every score, the precisions and the signatures. */
  public static final class ScoresCoder extends ModelCoders.Typed<SystemScores> {
    public ScoresCoder() {
      super(EvaluationCoders::writeScores, EvaluationCoders::readScores);
    }
  }

  static void writeSegment(DataOutputStream out, EvaluationSegment s) throws IOException {
    out.writeLong(s.index());
    writeUtf8(out, s.source());
    out.writeInt(s.references().size());
    for (String r : s.references()) {
      writeUtf8(out, r);
    }
  }

  static EvaluationSegment readSegment(DataInputStream in) throws IOException {
    long index = in.readLong();
    String source = readUtf8(in);
    int n = in.readInt();
    List<String> references = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      references.add(readUtf8(in));
    }
    return new EvaluationSegment(index, source, references);
  }

  static void writeOutput(DataOutputStream out, SystemOutput o) throws IOException {
    writeUtf8(out, o.system());
    out.writeLong(o.index());
    writeUtf8(out, o.hypothesis());
    writeUtf8(out, o.error());
  }

  static SystemOutput readOutput(DataInputStream in) throws IOException {
    return new SystemOutput(readUtf8(in), in.readLong(), readUtf8(in), readUtf8(in));
  }

  static void writeStatistics(DataOutputStream out, EvaluationStatistics s) throws IOException {
    writeLongs(out, s.bleu);
    writeLongs(out, s.chrf);
    out.writeDouble(s.rouge[0]);
    out.writeDouble(s.rouge[1]);
    out.writeLong(s.failed);
    out.writeInt(s.minReferences);
    out.writeInt(s.maxReferences);
  }

  static EvaluationStatistics readStatistics(DataInputStream in) throws IOException {
    long[] bleu = readLongs(in);
    long[] chrf = readLongs(in);
    double[] rouge = {in.readDouble(), in.readDouble()};
    return new EvaluationStatistics(bleu, chrf, rouge, in.readLong(), in.readInt(), in.readInt());
  }

  static void writeScores(DataOutputStream out, SystemScores s) throws IOException {
    writeUtf8(out, s.system());
    out.writeLong(s.segments());
    out.writeLong(s.failed());
    out.writeDouble(s.bleu());
    out.writeDouble(s.chrfPlusPlus());
    out.writeDouble(s.rougeL());
    double[] precisions = s.bleuPrecisions();
    out.writeInt(precisions.length);
    for (double p : precisions) {
      out.writeDouble(p);
    }
    out.writeDouble(s.brevityPenalty());
    out.writeLong(s.hypothesisLength());
    out.writeLong(s.referenceLength());
    writeUtf8(out, s.bleuSignature());
    writeUtf8(out, s.chrfSignature());
    writeUtf8(out, s.rougeSignature());
  }

  static SystemScores readScores(DataInputStream in) throws IOException {
    String system = readUtf8(in);
    long segments = in.readLong();
    long failed = in.readLong();
    double bleu = in.readDouble();
    double chrf = in.readDouble();
    double rouge = in.readDouble();
    double[] precisions = new double[in.readInt()];
    for (int i = 0; i < precisions.length; i++) {
      precisions[i] = in.readDouble();
    }
    return new SystemScores(system, segments, failed, bleu, chrf, rouge, precisions,
        in.readDouble(), in.readLong(), in.readLong(), readUtf8(in), readUtf8(in), readUtf8(in));
  }

  private static void writeLongs(DataOutputStream out, long[] values) throws IOException {
    out.writeInt(values.length);
    for (long v : values) {
      out.writeLong(v);
    }
  }

  private static long[] readLongs(DataInputStream in) throws IOException {
    long[] values = new long[in.readInt()];
    for (int i = 0; i < values.length; i++) {
      values[i] = in.readLong();
    }
    return values;
  }
}
