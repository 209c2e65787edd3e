#include <gtest/gtest.h>

#include <random>

#include "grebe/jsonrpc/framer.h"
#include "grebe/jsonrpc/message.h"

namespace grebe::jsonrpc {
namespace {

std::vector<Json> frame_all(Framer& f, std::string_view data, Status* status = nullptr) {
  Status s = f.feed(data);
  if (status) *status = s;
  std::vector<Json> out;
  Json j;
  while (f.take(&j)) out.push_back(j);
  return out;
}

TEST(Framer, ConcatenatedObjectsWithoutDelimiters) {
  Framer f;
  auto v = frame_all(f, R"({"a":1}{"b":[1,2,{"c":"}"}]}  [3]
{"d":"\"{["})");
  ASSERT_EQ(v.size(), 4u);
  EXPECT_EQ(v[0]["a"], 1);
  EXPECT_EQ(v[1]["b"][2]["c"], "}");
  EXPECT_EQ(v[2][0], 3);
  EXPECT_EQ(v[3]["d"], "\"{[");
}

TEST(Framer, RandomSplitsOfAValidStreamGiveTheSameMessages) {
  std::string stream;
  std::vector<Json> expected;
  std::mt19937 rng(12345);
  for (int i = 0; i < 200; i++) {
    Json j = {{"method", "m" + std::to_string(i)},
              {"params", Json::array({std::string(rng() % 40, '{'), "esc\\\"}\n]", i, nullptr,
                                      {{"nested", {{"x", Json::array({1, 2})}}}}})},
              {"id", i}};
    expected.push_back(j);
    stream += j.dump();
    if (rng() % 3 == 0) stream += "\n ";
  }
  for (int trial = 0; trial < 50; trial++) {
    Framer f;
    std::vector<Json> got;
    size_t pos = 0;
    while (pos < stream.size()) {
      size_t n = std::min<size_t>(stream.size() - pos, 1 + rng() % (trial < 5 ? 3 : 700));
      auto part = frame_all(f, std::string_view(stream).substr(pos, n));
      got.insert(got.end(), part.begin(), part.end());
      pos += n;
    }
    ASSERT_EQ(got, expected) << "trial " << trial;
    EXPECT_FALSE(f.mid_value());
  }
}

TEST(Framer, GarbageGivesOvsStyleErrors) {
  {
    Framer f;
    Status s;
    frame_all(f, "  hello", &s);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code(), EPROTO);
    EXPECT_EQ(s.error().message(), "line 0, column 2, byte 2: syntax error at beginning of input");
    EXPECT_TRUE(f.failed());
    EXPECT_FALSE(f.feed("{}").ok());
  }
  {
    Framer f;
    Status s;
    auto v = frame_all(f, "{\"a\":1}\n{\"b\":]", &s);
    EXPECT_EQ(v.size(), 1u);  // the good message before the garbage still counts
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message(), "line 1, column 5, byte 13: syntax error expecting '}' or ','");
  }
  {
    Framer f;
    Status s;
    frame_all(f, "{\"a\":tru}", &s);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message().rfind("line 0, column ", 0), 0u) << s.error().message();
  }
  {
    Framer f;
    Status s;
    frame_all(f, std::string(2000, '['), &s);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("input exceeds maximum nesting depth 1000"),
              std::string::npos);
  }
  {
    Framer f(100);
    Status s;
    frame_all(f, "{\"a\":\"" + std::string(200, 'x') + "\"}", &s);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("exceeds maximum size"), std::string::npos);
  }
  {
    Framer f;
    Status s;
    frame_all(f, "{\"a\":1e999}", &s);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message().find("number outside valid range"), std::string::npos);
  }
  {
    Framer f;
    Status s;
    frame_all(f, "{\"a\":\"\xff\xfe\"}", &s);  // invalid UTF-8 in a string
    ASSERT_FALSE(s.ok());
  }
  {
    Framer f;
    EXPECT_TRUE(frame_all(f, "{\"a\":[1,").empty());
    EXPECT_TRUE(f.mid_value());  // truncated: the caller reports it at EOF
  }
}

TEST(Framer, FuzzNeverCrashes) {
  std::mt19937 rng(99);
  const std::string alphabet = "{}[]\":,\\ abc01\n\x01\xff";
  for (int i = 0; i < 2000; i++) {
    Framer f;
    std::string s;
    for (int n = rng() % 64; n > 0; n--) s += alphabet[rng() % alphabet.size()];
    (void)f.feed(s);
    Json j;
    while (f.take(&j)) {
      auto m = Message::from_json(j);  // must return, never throw
      (void)m.ok();
    }
  }
}

TEST(Message, RoundTripAndOvsValidation) {
  Message r = Message::request("echo", Json::array({"x"}));
  EXPECT_TRUE(r.id.is_number_integer());
  auto back = Message::from_json(Json::parse(r.to_string()));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->type, Message::Type::kRequest);
  EXPECT_EQ(back->method, "echo");

  EXPECT_EQ(Message::reply("ok\n", 0).to_string(), R"({"error":null,"id":0,"result":"ok\n"})");
  EXPECT_EQ(Message::error_reply("bad", 3).to_string(), R"({"error":"bad","id":3,"result":null})");
  EXPECT_EQ(Message::notify("update", Json::array()).to_string(),
            R"({"id":null,"method":"update","params":[]})");

  auto err = [](const char* text) {
    auto m = Message::from_json(Json::parse(text));
    return m.ok() ? std::string("ok") : m.error().message();
  };
  EXPECT_EQ(err("[1]"), "message is not a JSON object");
  EXPECT_EQ(err(R"({"method":1,"params":[],"id":1})"), "method is not a JSON string");
  EXPECT_EQ(err(R"({"method":"x","params":[],"id":1,"extra":2})"),
            "message has unexpected member \"extra\"");
  EXPECT_EQ(err(R"({"method":"x","params":{},"id":1})"), "\"params\" must be JSON array");
  EXPECT_EQ(err(R"({"params":[],"id":1})"), "request must have \"method\"");
  EXPECT_EQ(err(R"({"method":"x","id":1})"), "request must have \"params\"");
  EXPECT_EQ(err(R"({"result":1,"id":null})"), "reply must have \"id\"");
  EXPECT_EQ(err(R"({"method":"x","result":1,"id":1})"), "reply must not have \"method\"");
  EXPECT_EQ(err(R"({"method":"x","params":[],"id":null})"), "ok");  // a notification
  EXPECT_EQ(err(R"({"error":"e","result":null,"id":"a"})"), "ok");
}

}  // namespace
}  // namespace grebe::jsonrpc
