"""Reviews and Q&A: review requests, reviews, photos, questions, replies, moderation, feeds."""
