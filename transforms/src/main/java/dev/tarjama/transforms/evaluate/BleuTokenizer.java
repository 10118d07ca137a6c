package dev.tarjama.transforms.evaluate;

import java.util.List;
import java.util.regex.Pattern;

/**
 * BLEU's tokenizers, as sacreBLEU 2.x defines them and named as its signature names them ({@code
 * tok:13a}, …). {@link #THIRTEEN_A} is the default and the one WMT and Hala report: mteval-v13a's
 * language-independent normalization, then punctuation split off (periods and commas only when not
 * between digits, dashes after a digit), then single spaces. Arabic text passes through it
 * unchanged apart from ASCII punctuation; Arabic punctuation (، ؟ ؛) stays attached to its word,
 * exactly as in sacreBLEU.
 */
public enum BleuTokenizer {
  /** mteval-v13a (sacreBLEU's {@code tokenizer_13a} + {@code tokenizer_re}). */
  THIRTEEN_A("13a") {
    @Override
    public String tokenize(String line) {
      line = line.replace("<skipped>", "").replace("-\n", "").replace("\n", " ");
      if (line.indexOf('&') >= 0) {
        line =
            line.replace("&quot;", "\"")
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">");
      }
      line = " " + line + " ";
      line = SYMBOLS.matcher(line).replaceAll(" $1 ");
      line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
      line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
      line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
      return String.join(" ", PythonText.split(line));
    }
  },
  /** No tokenization: words are what whitespace separates. */
  NONE("none") {
    @Override
    public String tokenize(String line) {
      return line;
    }
  },
  /** Every character is a token (sacreBLEU's {@code char}). */
  CHAR("char") {
    @Override
    public String tokenize(String line) {
      StringBuilder out = new StringBuilder(line.length() * 2);
      line.codePoints()
          .forEach(
              cp -> {
                if (out.length() > 0) {
                  out.append(' ');
                }
                out.appendCodePoint(cp);
              });
      return out.toString();
    }
  };

  // ASCII symbols: { | } ~  [ \ ] ^ _ `  space ! " # $ % &  ( ) * +  : ; < = > ?  @  /
  private static final Pattern SYMBOLS =
      Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
  private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
  private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
  private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

  private final String signature;

  BleuTokenizer(String signature) {
    this.signature = signature;
  }

  /** The tokenized line, tokens separated by single spaces (or untouched, for {@link #NONE}). */
  public abstract String tokenize(String line);

  /** The name in the signature ({@code tok:13a}) and on the command line. */
  public String signature() {
    return signature;
  }

  /** The tokenizer sacreBLEU calls {@code name}. */
  public static BleuTokenizer fromSignature(String name) {
    for (BleuTokenizer t : values()) {
      if (t.signature.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown BLEU tokenizer '" + name + "'; known: " + List.of("13a", "none", "char"));
  }
}
