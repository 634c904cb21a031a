// Runs a program (the built pgmcp, psql) as a child process for black-box tests: stdin from a file,
// stdout and stderr to files (no pipe to deadlock on), and a hung child killed by SIGALRM.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace pgmcp::testing {

struct Outcome {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `program args` (searched in PATH unless it has a slash) with stdin from `stdin_path`;
// `scratch` is the path prefix of the output files, removed afterwards.
inline Outcome RunProgram(const std::string& program, const std::vector<std::string>& args, const std::string& scratch,
                          const std::string& stdin_path = "/dev/null") {
  std::string out_path = scratch + ".out";
  std::string err_path = scratch + ".err";
  pid_t pid = fork();
  if (pid == 0) {
    int in = open(stdin_path.c_str(), O_RDONLY);
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    std::string name = program;
    argv.push_back(name.data());
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    alarm(60);  // the alarm survives exec
    execvp(program.c_str(), argv.data());
    _exit(127);
  }
  Outcome o;
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  if (WIFEXITED(status)) o.exit_code = WEXITSTATUS(status);
  o.out = Slurp(out_path);
  o.err = Slurp(err_path);
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return o;
}

}  // namespace pgmcp::testing
