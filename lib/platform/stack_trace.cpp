#include "stack_trace.hpp"

#include <filesystem>
#include <ostream>

namespace alloc_chaos {

std::ostream& operator<<(std::ostream& out, const stack_frame& frame) {
    return out << (frame.function.empty() ? "??" : frame.function) << ' ' << (frame.file.empty() ? "??" : frame.file)
               << ':' << frame.line;
}

bool stacks_available() noexcept { return detail::stack_backend_available(); }

}  // namespace alloc_chaos

namespace alloc_chaos::detail {

namespace {

bool ends_with(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

}  // namespace

bool named_in(std::string_view name, std::string_view prefix) noexcept {
    const std::size_t parameters = name.find('(');
    for (std::size_t at = name.find(prefix); at != std::string_view::npos && at < parameters;
         at = name.find(prefix, at + 1))
        if (at == 0 || name[at - 1] == ' ')
            return true;
    return false;
}

void symbolizer::classify(symbolized_frame& f) const {
    const std::string_view file = f.frame.file;
    const std::string_view name = f.frame.function;
    if (!file.empty()) {  // by where the code is: a user's code may live in namespace alloc_chaos
        f.library = (!library_dir_.empty() && file.starts_with(library_dir_)) ||
                    file.find("/include/alloc_chaos/") != std::string_view::npos ||
                    file.starts_with("include/alloc_chaos/");
        f.plumbing = ends_with(file, "/bits/invoke.h") || ends_with(file, "/functional") ||
                     ends_with(file, "/bits/std_function.h");
    } else {  // no debug information: by name
        f.library = named_in(name, "alloc_chaos::") || name.starts_with("operator new") ||
                    name.starts_with("operator delete");
        f.plumbing = named_in(name, "std::__invoke") || named_in(name, "std::invoke") ||
                     named_in(name, "std::_Function_handler") || named_in(name, "std::function<");
    }
}

std::string source_path(std::string_view file) {
    // A directory as compilers write it ends with no '/': "//" past the start joins an absolute name.
    if (const std::size_t joined = file.rfind("//"); joined != std::string_view::npos && joined > 0)
        file.remove_prefix(joined + 1);
    if (file.find("/.") == std::string_view::npos)
        return std::string(file);
    return std::filesystem::path(file).lexically_normal().string();
}

const std::vector<symbolized_frame>& symbolizer::at(std::uintptr_t pc) {
    if (!located_) {
        located_ = true;
        // The backend is in lib/platform/; the library's code is every folder of lib/.
        const std::string own = library_source_file();
        if (const std::size_t folder = own.rfind("/platform/"); folder != std::string::npos)
            library_dir_ = own.substr(0, folder + 1);
    }
    auto [found, inserted] = cache_.try_emplace(pc);
    if (inserted) {
        symbolize_pc(pc, found->second);
        if (found->second.empty())
            found->second.emplace_back();  // an address nothing names: "?? ??:0"
        for (symbolized_frame& f : found->second)
            classify(f);
    }
    return found->second;
}

std::vector<stack_frame> symbolizer::frames(const raw_stack& stack) noexcept {
    try {
        std::vector<const symbolized_frame*> all;
        for (std::size_t i = 0; i < stack.size; ++i)
            for (const symbolized_frame& f : at(stack.pcs[i]))
                all.push_back(&f);
        // Innermost, the library's frames that took the stack: the engine, the source.
        std::size_t first = 0;
        while (first < all.size() && all[first]->library)
            ++first;
        // Outermost, the checker's call of the body: its lambda, std::invoke.
        std::size_t last = all.size();
        while (last > first && (all[last - 1]->library || all[last - 1]->plumbing))
            --last;
        std::vector<stack_frame> kept;
        for (std::size_t i = first; i < last; ++i)
            if (!all[i]->library)
                kept.push_back(all[i]->frame);
        return kept;
    } catch (...) {  // out of memory for the symbols: no stack rather than no report
        return {};
    }
}

}  // namespace alloc_chaos::detail
