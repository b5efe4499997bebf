#include "services/storage/doc_value_store.h"

#include <algorithm>
#include <utility>

namespace newsdb::storage {

CreditDictionary::CreditDictionary() { Intern(""); }

uint32_t CreditDictionary::Intern(absl::string_view credit) {
  auto [it, inserted] = ordinals_.try_emplace(credit, static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(credit);
  return it->second;
}

std::optional<uint32_t> CreditDictionary::Find(absl::string_view credit) const {
  auto it = ordinals_.find(credit);
  if (it == ordinals_.end()) return std::nullopt;
  return it->second;
}

int64_t PublicationHistogram::QuarterOf(int64_t published_seconds) {
  // Floor division, so that pre-1970 times land in the right quarter hour.
  return published_seconds >= 0 ? published_seconds / 900 : -((-published_seconds + 899) / 900);
}

void PublicationHistogram::Add(int64_t published_seconds) {
  sync::MutexLock lock(&mutex_);
  ++counts_[QuarterOf(published_seconds)];
}

void PublicationHistogram::Move(int64_t from_seconds, int64_t to_seconds) {
  sync::MutexLock lock(&mutex_);
  auto old_quarter = counts_.find(QuarterOf(from_seconds));
  if (old_quarter != counts_.end() && --old_quarter->second == 0) counts_.erase(old_quarter);
  ++counts_[QuarterOf(to_seconds)];
}

int64_t PublicationHistogram::Count(int64_t first_quarter, int64_t end_quarter) const {
  sync::ReaderMutexLock lock(&mutex_);
  int64_t total = 0;
  for (auto it = counts_.lower_bound(first_quarter); it != counts_.end() && it->first < end_quarter;
       ++it) {
    total += it->second;
  }
  return total;
}

std::vector<int64_t> PublicationHistogram::Quarters(int64_t first_quarter,
                                                    int64_t end_quarter) const {
  sync::ReaderMutexLock lock(&mutex_);
  std::vector<int64_t> quarters;
  for (auto it = counts_.lower_bound(first_quarter); it != counts_.end() && it->first < end_quarter;
       ++it) {
    if (it->second > 0) quarters.push_back(it->first);
  }
  return quarters;
}

WindowBounds WindowBounds::Of(const DocValues& values) {
  return {values.published_seconds, values.published_seconds, values.views,
          values.title_length,      values.body_length,       values.credit_length};
}

WindowBounds WindowBounds::Widened(const DocValues& values) const {
  return {std::min(min_published, values.published_seconds),
          std::max(max_published, values.published_seconds),
          std::max(max_views, values.views),
          std::min(min_title_length, values.title_length),
          std::min(min_body_length, values.body_length),
          std::min(min_credit_length, values.credit_length)};
}

FieldLengths DocValuesView::length_sums() const {
  if (length_sums_.has_value()) return *length_sums_;
  FieldLengths sums;
  for (uint32_t doc = 0; doc < doc_limit_; ++doc) {
    sums.title += title_lengths_[doc];
    sums.body += body_lengths_[doc];
    sums.credit += credit_lengths_[doc];
  }
  return sums;
}

DocValueStore::DocValueStore()
    : credits_(std::make_shared<CreditDictionary>()),
      histogram_(std::make_unique<PublicationHistogram>()) {}

uint32_t DocValueStore::InternCredit(const std::string& credit) {
  if (std::optional<uint32_t> known = credits_->Find(credit)) return *known;
  if (credits_generation_ != generation()) {  // a view may hold the dictionary
    credits_ = std::make_shared<CreditDictionary>(*credits_);
    credits_generation_ = generation();
  }
  return credits_->Intern(credit);
}

void DocValueStore::Add(uint32_t doc, const DocValues& values, int64_t sequence) {
  const uint64_t generation = this->generation();
  const uint32_t window = WindowOf(doc);
  if (window == windows_.size()) {
    windows_.Append(WindowBounds::Of(values), generation);
  } else {
    windows_.Set(window, windows_[window].Widened(values), generation);
  }
  if (doc == size()) {
    ids_.Append(values.id, generation);
    published_.Append(values.published_seconds, generation);
    views_.Append(values.views, generation);
    credit_ordinals_.Append(InternCredit(values.credit), generation);
    title_lengths_.Append(values.title_length, generation);
    body_lengths_.Append(values.body_length, generation);
    credit_lengths_.Append(values.credit_length, generation);
    length_sums_.title += values.title_length;
    length_sums_.body += values.body_length;
    length_sums_.credit += values.credit_length;
    histogram_->Add(values.published_seconds);
    return;
  }
  // An existing document: its text, views or publication second changed (its id, and so its
  // publication minute, cannot).
  if (published_[doc] != values.published_seconds) {
    histogram_->Move(published_[doc], values.published_seconds);
    published_.Set(doc, values.published_seconds, generation);
  }
  if (views_[doc] != values.views) {
    view_changes_.push_back({sequence, doc, views_[doc]});
    views_.Set(doc, values.views, generation);
  }
  credit_ordinals_.Set(doc, InternCredit(values.credit), generation);
  const FieldLengths old = lengths(doc);
  length_sums_.title += static_cast<int64_t>(values.title_length) - old.title;
  length_sums_.body += static_cast<int64_t>(values.body_length) - old.body;
  length_sums_.credit += static_cast<int64_t>(values.credit_length) - old.credit;
  title_lengths_.Set(doc, values.title_length, generation);
  body_lengths_.Set(doc, values.body_length, generation);
  credit_lengths_.Set(doc, values.credit_length, generation);
}

void DocValueStore::TrimViewHistory(size_t max_changes) {
  while (view_changes_.size() > max_changes) {
    oldest_sequence_ = view_changes_.front().sequence + 1;
    view_changes_.pop_front();
  }
}

DocValuesView DocValueStore::Capture(uint32_t doc_limit, int64_t sequence) const {
  captures_.fetch_add(1, std::memory_order_relaxed);
  DocValuesView view;
  view.doc_limit_ = doc_limit;
  view.ids_ = ids_.Share();
  view.published_ = published_.Share();
  view.views_ = views_.Share();
  view.credit_ordinals_ = credit_ordinals_.Share();
  view.title_lengths_ = title_lengths_.Share();
  view.body_lengths_ = body_lengths_.Share();
  view.credit_lengths_ = credit_lengths_.Share();
  view.windows_ = windows_.Share();
  view.credits_ = credits_;
  // The oldest replaced value after the sequence is the one the sequence saw.
  for (auto it = view_changes_.rbegin(); it != view_changes_.rend() && it->sequence > sequence;
       ++it) {
    view.old_views_[it->doc] = it->old_views;
  }
  if (doc_limit == size()) view.length_sums_ = length_sums_;
  view.histogram_ = histogram_.get();
  return view;
}

}  // namespace newsdb::storage
