# Lectern emails, English. Every email is: subject, greeting, one paragraph, an action (button
# label; the link follows it), a closing line. Each kind's messages share a prefix:
# mail-<kind>-subject, -body, -action, -footer.
#
# Arguments every message may use: { $name } (the recipient), { $school } (the school's name).
# The link is added by the template; do not put it here.

mail-greeting = Hello, { $name }!
# Under the button in the HTML part, for clients that show no button.
mail-link-hint = If the button does not work, copy this link into your browser:

mail-verification-subject = Confirm your email — { $school }
mail-verification-body = Please confirm your email address for { $school } by opening the link below. It works for 24 hours.
mail-verification-action = Confirm email
mail-verification-footer = If you did not sign up, you can ignore this message.

mail-welcome-subject = Welcome to { $school }
mail-welcome-body = Your email is confirmed. Pick your first course and start learning: your progress is saved as you go.
mail-welcome-action = Browse courses
mail-welcome-footer = The { $school } team

mail-reset-subject = Reset your password — { $school }
mail-reset-body = We received a request to reset your password. The link below works once, for 1 hour; resetting signs you out everywhere.
mail-reset-action = Choose a new password
mail-reset-footer = If you did not ask for this, do nothing: your password stays as it is.

mail-receipt-subject = Your receipt: { $course } — { $school }
mail-receipt-body = Thank you for your purchase. You paid { $amount } for “{ $course }” and you are enrolled: the course is waiting for you.
mail-receipt-action = See your order
mail-receipt-footer = Keep this email as your receipt. Changed your mind? You can ask for a refund from the order page within the refund period.

mail-refund-subject = Refund for { $course } — { $school }
mail-refund-body = We have refunded { $amount } for “{ $course }”. Depending on your bank it may take a few days to appear on your statement.
mail-refund-action = See your order
mail-refund-footer = The { $school } team

mail-payout-paid-subject = Your payout of { $amount } is paid — { $school }
mail-payout-paid-body = We have sent your payout of { $amount }. The bank's reference is { $reference }.
mail-payout-paid-action = See your earnings
mail-payout-paid-footer = The { $school } team

mail-payout-rejected-subject = Your payout request was not paid — { $school }
mail-payout-rejected-body = Your request for a payout of { $amount } was declined: { $reference }. The money is available again, and you can ask again.
mail-payout-rejected-action = See your earnings
mail-payout-rejected-footer = Reply to this email if you have questions.

mail-enrolled-subject = You are enrolled: { $course } — { $school }
mail-enrolled-body = Welcome to “{ $course }”. Your progress is saved as you go, so you can stop and come back any time. Start with the first lesson.
mail-enrolled-action = Start learning
mail-enrolled-footer = The { $school } team

mail-completed-subject = You completed { $course } — { $school }
mail-completed-body = Congratulations! You have finished every lesson of “{ $course }”. The course stays open to you: come back to any lesson whenever you like, and tell others what you thought of it in a review.
mail-completed-action = Open the course
mail-completed-footer = The { $school } team
mail-completed-certificate-body = Congratulations! You have finished every lesson of “{ $course }”, and your certificate is ready: open it to download the PDF, add it to LinkedIn, or share the link — anyone can check it there. The course stays open to you.
mail-completed-certificate-action = See your certificate

mail-reminder-subject = Your course is waiting: { $course } — { $school }
mail-reminder-body = It has been { $days ->
    [one] a day
   *[other] { $days } days
} since you last studied “{ $course }”. A few minutes today keep the momentum going: pick up where you left off.
mail-reminder-action = Continue learning
mail-reminder-footer = The { $school } team

mail-digest-subject = Your courses today: { $students ->
    [one] { $students } new student
   *[other] { $students } new students
}, { $reviews ->
    [one] { $reviews } new review
   *[other] { $reviews } new reviews
}{ $questions ->
    [0] {""}
    [one] , { $questions } new question
   *[other] , { $questions } new questions
} — { $school }
mail-digest-body = Here is what happened in your courses since yesterday:
mail-digest-line = { $course }: { $students ->
    [one] { $students } new student
   *[other] { $students } new students
}, { $reviews ->
    [one] { $reviews } new review
   *[other] { $reviews } new reviews
}{ $questions ->
    [0] {""}
    [one] , { $questions } new question
   *[other] , { $questions } new questions
}
mail-digest-action = See your notifications
mail-digest-footer = You get this summary at most once a day, only on days with news.

# The last line of mail a reader can opt out of (reminders, digests); the link follows it.
mail-unsubscribe-reminders = Too many reminders? Stop lesson reminders:
mail-unsubscribe-digests = Prefer no daily summary? Stop digests:
mail-unsubscribe-product-news = Not interested in news? Stop these emails:

# Moderation decisions. Arguments: { $target } (a course title, or what was reported),
# { $reason } (the admin's words), { $action } (dismiss, hide, unpublish, lock_user),
# { $report_reason } (spam, abuse, copyright, misleading, other). mail-*-notice is the in-app
# notification's title; its text is the email's body.
mail-course-approved-notice = Your course “{ $target }” is published
mail-course-approved-subject = Your course is published: { $target } — { $school }
mail-course-approved-body = An admin reviewed “{ $target }” and it is now in the catalog. { $reason }
mail-course-approved-action = Open the course
mail-course-approved-footer = The { $school } team

mail-course-rejected-notice = “{ $target }” was not published
mail-course-rejected-subject = Your course needs changes: { $target } — { $school }
mail-course-rejected-body = An admin reviewed “{ $target }” and did not publish it. The reason: { $reason }. Fix it in the studio and publish it again: it goes back to the review queue. This decision was made by a person; if you disagree, reply to this email.
mail-course-rejected-action = Edit the course
mail-course-rejected-footer = The { $school } team

mail-course-unpublished-notice = “{ $target }” was taken out of the catalog
mail-course-unpublished-subject = Your course was taken down: { $target } — { $school }
mail-course-unpublished-body = An admin took “{ $target }” out of the catalog. The reason: { $reason }. Fix it in the studio and publish it again to send it back to the review queue. This decision was made by a person; to appeal, reply to this email within six months.
mail-course-unpublished-action = Edit the course
mail-course-unpublished-footer = The { $school } team

mail-review-approved-notice = Your review of “{ $target }” is published
mail-review-approved-subject = Your review is published — { $school }
mail-review-approved-body = An admin checked your review of “{ $target }”: it is now public and counts in the course’s rating.
mail-review-approved-action = See the course
mail-review-approved-footer = The { $school } team

mail-review-hidden-notice = Your review of “{ $target }” was hidden
mail-review-hidden-subject = Your review was hidden — { $school }
mail-review-hidden-body = Your review of “{ $target }” was hidden and is no longer public. The reason: { $reason }. Reviews may be critical, but not offensive, off-topic or advertising. This decision was made by a person; to appeal, reply to this email within six months.
mail-review-hidden-action = See the course
mail-review-hidden-footer = The { $school } team

mail-report-resolved-notice = We looked at your report about { $target }
mail-report-resolved-subject = We looked at your report — { $school }
mail-report-resolved-body = Thank you for reporting { $target } ({ $report_reason ->
        [spam] spam
        [abuse] abuse
        [copyright] copyright
        [misleading] misleading content
       *[other] another reason
    }). The outcome: { $action ->
        [dismiss] we found nothing against the school’s rules, so it stays
        [hide] it was hidden
        [unpublish] it was taken out of the catalog
       *[lock_user] the account responsible was locked
    }. { $reason }
mail-report-resolved-action = Open the page
mail-report-resolved-footer = The { $school } team

mail-report-action-notice = A decision about { $target }
mail-report-action-subject = A decision about your content — { $school }
mail-report-action-body = After a report ({ $report_reason ->
        [spam] spam
        [abuse] abuse
        [copyright] copyright
        [misleading] misleading content
       *[other] another reason
    }), { $target } { $action ->
        [hide] was hidden
        [unpublish] was taken out of the catalog
       *[lock_user] led to your account being locked
    }. The facts and the rule: { $reason }. This decision was made by a person, not by an automatic system. To appeal, reply to this email within six months.
mail-report-action-action = Open the page
mail-report-action-footer = The { $school } team
mail-verification-approved-notice = You are a verified teacher
mail-verification-approved-subject = You are verified — { $school }
mail-verification-approved-body = An admin checked your documents: your pages now carry the verified teacher badge, and your courses that pass the automatic checks are published at once.
mail-verification-approved-action = Open the studio
mail-verification-approved-footer = The { $school } team
mail-verification-rejected-notice = Your verification was not approved
mail-verification-rejected-subject = Your verification needs another look — { $school }
mail-verification-rejected-body = An admin checked your documents and could not verify you. The reason: { $reason }. You can send new documents from the studio at any time. This decision was made by a person; if you disagree, reply to this email.
mail-verification-rejected-action = Send documents again
mail-verification-rejected-footer = The { $school } team

mail-qa-approved-notice = Your post in “{ $target }” is published
mail-qa-approved-subject = Your post is published — { $school }
mail-qa-approved-body = An admin checked your question or answer in “{ $target }”: it is now visible to the course.
mail-qa-approved-action = See the discussion
mail-qa-approved-footer = The { $school } team

mail-qa-hidden-notice = Your post in “{ $target }” was hidden
mail-qa-hidden-subject = Your post was hidden — { $school }
mail-qa-hidden-body = Your question or answer in “{ $target }” was hidden and is no longer visible to the course. The reason: { $reason }. This decision was made by a person; to appeal, reply to this email within six months.
mail-qa-hidden-action = See the lesson
mail-qa-hidden-footer = The { $school } team
