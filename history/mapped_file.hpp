// A history file mapped read-only: readers take it as one string_view
// without copying a gigabyte history into a string first.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string_view>

namespace eclat {

class MappedFile {
 public:
  // Throws BadInput naming the file when it cannot be opened or mapped.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view view() const { return {data_ ? data_ : "", size_}; }

 private:
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace eclat
