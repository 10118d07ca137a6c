package dev.tarjama.transforms.evaluate;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Explicit, deterministic coders for the evaluation types, in the style of the domain model's
 * {@code ModelCoders}: fields in a fixed order, strings as UTF-8, no Java serialization.
 */
public final class EvaluationCoders {
  private EvaluationCoders() {}

  /** The domain model's coder base: the same stream format rules. */
  abstract static class Base<T> extends ModelCoders.Base<T> {}

  public static final class SegmentCoder extends Base<EvaluationSegment> {
    @Override
    protected void write(EvaluationSegment s, DataOutputStream out) throws IOException {
      out.writeLong(s.index);
      writeString(out, s.source);
      out.writeInt(s.references.size());
      for (String r : s.references) {
        writeString(out, r);
      }
    }

    @Override
    protected EvaluationSegment read(DataInputStream in) throws IOException {
      long index = in.readLong();
      String source = readString(in);
      int n = in.readInt();
      List<String> references = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        references.add(readString(in));
      }
      return new EvaluationSegment(index, source, references);
    }
  }

  public static final class SystemOutputCoder extends Base<SystemOutput> {
    @Override
    protected void write(SystemOutput o, DataOutputStream out) throws IOException {
      writeString(out, o.system());
      out.writeLong(o.index());
      writeString(out, o.hypothesis());
      writeString(out, o.error());
    }

    @Override
    protected SystemOutput read(DataInputStream in) throws IOException {
      return new SystemOutput(readString(in), in.readLong(), readString(in), readString(in));
    }
  }

  public static final class StatisticsCoder extends Base<EvaluationStatistics> {
    @Override
    protected void write(EvaluationStatistics s, DataOutputStream out) throws IOException {
      writeLongs(out, s.bleu);
      writeLongs(out, s.chrf);
      out.writeDouble(s.rouge[0]);
      out.writeDouble(s.rouge[1]);
      out.writeLong(s.failed);
      out.writeInt(s.minReferences);
      out.writeInt(s.maxReferences);
    }

    @Override
    protected EvaluationStatistics read(DataInputStream in) throws IOException {
      long[] bleu = readLongs(in);
      long[] chrf = readLongs(in);
      double[] rouge = {in.readDouble(), in.readDouble()};
      return new EvaluationStatistics(bleu, chrf, rouge, in.readLong(), in.readInt(), in.readInt());
    }
  }

  public static final class ScoresCoder extends Base<SystemScores> {
    @Override
    protected void write(SystemScores s, DataOutputStream out) throws IOException {
      writeString(out, s.system);
      out.writeLong(s.segments);
      out.writeLong(s.failed);
      out.writeDouble(s.bleu);
      out.writeDouble(s.chrfPlusPlus);
      out.writeDouble(s.rougeL);
      out.writeInt(s.bleuPrecisions.length);
      for (double p : s.bleuPrecisions) {
        out.writeDouble(p);
      }
      out.writeDouble(s.brevityPenalty);
      out.writeLong(s.hypothesisLength);
      out.writeLong(s.referenceLength);
      writeString(out, s.bleuSignature);
      writeString(out, s.chrfSignature);
      writeString(out, s.rougeSignature);
    }

    @Override
    protected SystemScores read(DataInputStream in) throws IOException {
      String system = readString(in);
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
          in.readDouble(), in.readLong(), in.readLong(), readString(in), readString(in),
          readString(in));
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static String readString(DataInputStream in) throws IOException {
    byte[] bytes = new byte[in.readInt()];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
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
