package dev.tarjama.transforms.judge;

import dev.tarjama.transforms.domain.ModelCoders;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;
import org.apache.beam.sdk.coders.CoderProvider;
import org.apache.beam.sdk.coders.CoderProviders;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * A pair with the judge's verdict and its raw answer, exactly as the server sent it (so that an
 * {@link Verdict#UNDECIDED} answer can be read and the grammar or the prompt fixed).
 *
 * @param pair the pair judged
 * @param verdict the judge's verdict
 * @param answer the judge's raw answer
 */
@DefaultCoder(JudgedPair.JudgedPairCoder.class)
public record JudgedPair(ParallelPair pair, Verdict verdict, String answer) {
  public JudgedPair {
    Objects.requireNonNull(pair, "pair");
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(answer, "answer");
  }

  @Override
  public String toString() {
    return "JudgedPair{" + pair.id() + " " + verdict + "}";
  }

  static void write(DataOutputStream out, JudgedPair value) throws IOException {
    ParallelPair.write(out, value.pair);
    out.writeByte(value.verdict.ordinal());
    ModelCoders.writeUtf8(out, value.answer);
  }

  static JudgedPair read(DataInputStream in) throws IOException {
    ParallelPair pair = ParallelPair.read(in);
    Verdict verdict = Verdict.values()[in.readByte()];
    return new JudgedPair(pair, verdict, ModelCoders.readUtf8(in));
  }

  /** A compact, deterministic coder: the pair, the verdict's ordinal, the answer. */
  public static final class JudgedPairCoder extends ModelCoders.Typed<JudgedPair> {
    public JudgedPairCoder() {
      super(JudgedPair::write, JudgedPair::read);
    }

    public static CoderProvider getCoderProvider() {
      return CoderProviders.forCoder(TypeDescriptor.of(JudgedPair.class), new JudgedPairCoder());
    }
  }
}
