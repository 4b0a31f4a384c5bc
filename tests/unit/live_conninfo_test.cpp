// Connection strings: which sources are databases, and that passwords never reach messages.
#include <gtest/gtest.h>

#include "schema/live/connection.h"
#include "schema/live/introspect.h"
#include "schema/live/targets.h"

namespace pgdrift::schema::live {
namespace {

TEST(IsConnectionString, RecognisesUrls) {
  EXPECT_TRUE(is_connection_string("postgres://app@db/prod"));
  EXPECT_TRUE(is_connection_string("postgresql://localhost"));
  EXPECT_TRUE(is_connection_string("postgresql:///mydb?host=/tmp"));
}

TEST(IsConnectionString, RecognisesKeyValueStrings) {
  EXPECT_TRUE(is_connection_string("host=localhost dbname=app"));
  EXPECT_TRUE(is_connection_string("dbname = app"));
  EXPECT_TRUE(is_connection_string("  service=prod"));
}

TEST(IsConnectionString, RejectsPathsAndOtherText) {
  EXPECT_FALSE(is_connection_string(""));
  EXPECT_FALSE(is_connection_string("-"));
  EXPECT_FALSE(is_connection_string("schema.sql"));
  EXPECT_FALSE(is_connection_string("migrations/"));
  EXPECT_FALSE(is_connection_string("model.json"));
  EXPECT_FALSE(is_connection_string("dir/a=b.sql"));  // '=' but not after a keyword
  EXPECT_FALSE(is_connection_string("mysql://host/db"));
}

TEST(RedactConnectionString, HidesUrlPassword) {
  EXPECT_EQ(redact_connection_string("postgres://app:s3cret@db:5432/prod"),
            "postgres://app:***@db:5432/prod");
  EXPECT_EQ(redact_connection_string("postgresql://app:p%40ss@db/prod?sslmode=require"),
            "postgresql://app:***@db/prod?sslmode=require");
}

TEST(RedactConnectionString, HidesUrlQueryPassword) {
  EXPECT_EQ(redact_connection_string("postgres://db/prod?user=app&password=s3cret&sslmode=off"),
            "postgres://db/prod?user=app&password=***&sslmode=off");
}

// libpq reads percent-encoded query keys; any letter case of "password" is hidden too, even
// where libpq would reject the key, because the text still holds the secret.
TEST(RedactConnectionString, HidesQueryPasswordInAnySpelling) {
  EXPECT_EQ(redact_connection_string("postgres://db/prod?user=app&PASSWORD=s3cret"),
            "postgres://db/prod?user=app&PASSWORD=***");
  EXPECT_EQ(redact_connection_string("postgres://db/prod?%70assword=s3cret&sslmode=off"),
            "postgres://db/prod?%70assword=***&sslmode=off");
  EXPECT_EQ(redact_connection_string("host=db Password=s3cret"), "host=db Password=***");
  // The value libpq itself parses (PQconninfoParse) is scrubbed from messages as well.
  EXPECT_EQ(redact_message("echo s3cret", "postgres://db/prod?%70assword=s3cret"), "echo ***");
  EXPECT_EQ(redact_message("echo s3cret", "postgres://db/prod?PASSWORD=s3cret"), "echo ***");
}

TEST(RedactConnectionString, KeepsUrlsWithoutPassword) {
  EXPECT_EQ(redact_connection_string("postgres://app@db:5432/prod"), "postgres://app@db:5432/prod");
  EXPECT_EQ(redact_connection_string("postgres://db:5432/prod"), "postgres://db:5432/prod");
}

TEST(RedactConnectionString, HidesKeyValuePassword) {
  EXPECT_EQ(redact_connection_string("host=db password=s3cret dbname=prod"),
            "host=db password=*** dbname=prod");
  EXPECT_EQ(redact_connection_string("host=db password = 'it\\'s a secret' dbname=prod"),
            "host=db password = *** dbname=prod");
  EXPECT_EQ(redact_connection_string("host=db dbname=prod"), "host=db dbname=prod");
}

TEST(RedactMessage, HidesEveryEchoOfThePassword) {
  const std::string url = "postgres://app:p%40ss@db/prod";
  EXPECT_EQ(redact_message("bad value p%40ss and p@ss", url), "bad value *** and ***");
  EXPECT_EQ(redact_message("no password here", "host=db password=xyz"), "no password here");
  EXPECT_EQ(redact_message("echo: top secret", "host=db password='top secret'"), "echo: ***");
}

TEST(WithConnectTimeout, AddsTimeoutOnlyWhenMissing) {
  EXPECT_EQ(with_connect_timeout("postgres://db/prod"), "postgres://db/prod?connect_timeout=10");
  EXPECT_EQ(with_connect_timeout("postgres://db/prod?sslmode=off"),
            "postgres://db/prod?sslmode=off&connect_timeout=10");
  EXPECT_EQ(with_connect_timeout("postgres://db/prod?connect_timeout=3"),
            "postgres://db/prod?connect_timeout=3");
  EXPECT_EQ(with_connect_timeout("host=db"), "host=db connect_timeout=10");
  EXPECT_EQ(with_connect_timeout("host=db connect_timeout=2"), "host=db connect_timeout=2");
  EXPECT_EQ(with_connect_timeout(""), "connect_timeout=10");
}

TEST(Connect, FailureIsConnectionErrorWithoutPassword) {
  // Port 1 on localhost refuses at once; the message must name the target but not the password.
  const std::string conninfo = "postgres://app:hunter2@127.0.0.1:1/prod";
  try {
    introspect(conninfo);
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
    EXPECT_NE(message.find("postgres://app:***@127.0.0.1:1/prod"), std::string::npos) << message;
  }
}

TEST(Connect, MalformedConnectionStringIsConnectionErrorWithoutPassword) {
  // The unencoded '/' makes libpq read "app:hunter/2x" as host "app", port "hunter": it
  // echoes the password's first part as a bad port value.
  const std::string conninfo = "postgresql://app:hunter/2x@db/prod";
  try {
    introspect(conninfo);
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter"), std::string::npos) << e.what();
  }
}

// The targets file of `drift --targets` (read in schema/live so the fuzz target reads it the
// same way): names, bare connection strings shown redacted, comments, and located errors.
TEST(TargetsFile, NamesRedactsAndRejectsWhatIsNoTargetsFile) {
  auto targets = parse_targets(
      "# fleet\n"
      "prod=postgresql://app:s3cret@db1/app\n"
      "\n"
      "  host=db2 dbname=app password=s3cret  \n",
      "fleet.txt");
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].label, "prod");
  EXPECT_EQ(targets[0].conninfo, "postgresql://app:s3cret@db1/app");
  EXPECT_EQ(targets[1].conninfo, "host=db2 dbname=app password=s3cret");
  EXPECT_EQ(targets[1].label.find("s3cret"), std::string::npos) << targets[1].label;
  try {
    parse_targets("# nothing here\n\n", "empty.txt");
    ADD_FAILURE() << "no targets accepted";
  } catch (const TargetsError& e) {
    EXPECT_STREQ(e.what(), "empty.txt: no targets in file");
  }
  try {
    parse_targets("a=host=x\n" + std::string(kMaxTargetLine + 1, 'x') + "\n", "blob.bin");
    ADD_FAILURE() << "a binary file accepted";
  } catch (const TargetsError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("blob.bin:2: line longer than", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace pgdrift::schema::live
