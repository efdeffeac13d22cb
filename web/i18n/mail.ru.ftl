# Письма Lectern, русский. Каждое письмо: тема, приветствие, один абзац, действие (надпись на
# кнопке; ссылка идёт за ней), заключительная строка. У сообщений одного письма общий префикс:
# mail-<вид>-subject, -body, -action, -footer.
#
# Аргументы, доступные всем сообщениям: { $name } (получатель), { $school } (название школы).
# Ссылку добавляет шаблон; здесь её не пишите.

mail-greeting = Здравствуйте, { $name }!
# Под кнопкой в HTML-версии, для почтовых программ, которые не показывают кнопку.
mail-link-hint = Если кнопка не работает, скопируйте эту ссылку в браузер:

mail-verification-subject = Подтвердите адрес почты — { $school }
mail-verification-body = Чтобы подтвердить адрес почты для { $school }, откройте ссылку ниже. Она действует 24 часа.
mail-verification-action = Подтвердить адрес
mail-verification-footer = Если вы не регистрировались, просто проигнорируйте это письмо.

mail-welcome-subject = Добро пожаловать в { $school }
mail-welcome-body = Ваш адрес подтверждён. Выберите первый курс и начните учиться — прогресс сохранится автоматически.
mail-welcome-action = Открыть каталог
mail-welcome-footer = Команда { $school }

mail-reset-subject = Сброс пароля — { $school }
mail-reset-body = Мы получили запрос на сброс пароля. Ссылка ниже действует 1 час и только один раз; после сброса все ваши сеансы будут завершены.
mail-reset-action = Задать новый пароль
mail-reset-footer = Если вы не запрашивали сброс, ничего не делайте: пароль останется прежним.

mail-receipt-subject = Ваш чек: { $course } — { $school }
mail-receipt-body = Спасибо за покупку. Вы оплатили { $amount } за курс «{ $course }» и уже записаны на него: курс ждёт вас.
mail-receipt-action = Открыть заказ
mail-receipt-footer = Сохраните это письмо как чек. Передумали? В течение срока возврата вернуть деньги можно со страницы заказа.

mail-refund-subject = Возврат за курс { $course } — { $school }
mail-refund-body = Мы вернули { $amount } за курс «{ $course }». В зависимости от банка деньги поступят на счёт в течение нескольких дней.
mail-refund-action = Открыть заказ
mail-refund-footer = Команда { $school }

mail-payout-paid-subject = Выплата { $amount } отправлена — { $school }
mail-payout-paid-body = Мы отправили вашу выплату { $amount }. Номер банковского документа: { $reference }.
mail-payout-paid-action = Открыть доходы
mail-payout-paid-footer = Команда { $school }

mail-payout-rejected-subject = Запрос на выплату отклонён — { $school }
mail-payout-rejected-body = Ваш запрос на выплату { $amount } отклонён: { $reference }. Деньги снова доступны, запрос можно отправить ещё раз.
mail-payout-rejected-action = Открыть доходы
mail-payout-rejected-footer = Если у вас есть вопросы, ответьте на это письмо.

mail-enrolled-subject = Вы записаны на курс «{ $course }» — { $school }
mail-enrolled-body = Добро пожаловать на курс «{ $course }». Прогресс сохраняется автоматически: можно прерваться и вернуться в любое время. Начните с первого урока.
mail-enrolled-action = Начать обучение
mail-enrolled-footer = Команда { $school }

mail-completed-subject = Вы прошли курс «{ $course }» — { $school }
mail-completed-body = Поздравляем! Вы прошли все уроки курса «{ $course }». Курс остаётся открытым: возвращайтесь к любому уроку, когда захотите, и расскажите другим о впечатлениях в отзыве.
mail-completed-action = Открыть курс
mail-completed-footer = Команда { $school }
mail-completed-certificate-body = Поздравляем! Вы прошли все уроки курса «{ $course }», и ваш сертификат готов: откройте его, чтобы скачать PDF, добавить в LinkedIn или поделиться ссылкой — по ней любой может его проверить. Курс остаётся открытым.
mail-completed-certificate-action = Открыть сертификат

mail-reminder-subject = Курс ждёт вас: «{ $course }» — { $school }
mail-reminder-body = Вы не занимались курсом «{ $course }» { $days ->
    [one] { $days } день
    [few] { $days } дня
   *[other] { $days } дней
}. Несколько минут сегодня помогут не сбиться с ритма: продолжите с того места, где остановились.
mail-reminder-action = Продолжить обучение
mail-reminder-footer = Команда { $school }

mail-digest-subject = Ваши курсы за день: { $students ->
    [one] { $students } новый студент
    [few] { $students } новых студента
   *[other] { $students } новых студентов
}, { $reviews ->
    [one] { $reviews } новый отзыв
    [few] { $reviews } новых отзыва
   *[other] { $reviews } новых отзывов
}{ $questions ->
    [0] {""}
    [one] , { $questions } новый вопрос
    [few] , { $questions } новых вопроса
   *[other] , { $questions } новых вопросов
} — { $school }
mail-digest-body = Вот что произошло на ваших курсах со вчерашнего дня:
mail-digest-line = { $course }: { $students ->
    [one] { $students } новый студент
    [few] { $students } новых студента
   *[other] { $students } новых студентов
}, { $reviews ->
    [one] { $reviews } новый отзыв
    [few] { $reviews } новых отзыва
   *[other] { $reviews } новых отзывов
}{ $questions ->
    [0] {""}
    [one] , { $questions } новый вопрос
    [few] , { $questions } новых вопроса
   *[other] , { $questions } новых вопросов
}
mail-digest-action = Открыть уведомления
mail-digest-footer = Эта сводка приходит не чаще раза в день и только в дни, когда есть новости.

mail-unsubscribe-reminders = Слишком много напоминаний? Отключить напоминания об уроках:
mail-unsubscribe-digests = Не нужна ежедневная сводка? Отключить сводки:
mail-unsubscribe-product-news = Не интересны новости? Отключить эти письма:

# Решения модерации. Аргументы: { $target } (название курса или то, на что пожаловались),
# { $reason } (слова администратора), { $action } (dismiss, hide, unpublish, lock_user),
# { $report_reason } (spam, abuse, copyright, misleading, other).
mail-course-approved-notice = Курс «{ $target }» опубликован
mail-course-approved-subject = Ваш курс опубликован: { $target } — { $school }
mail-course-approved-body = Администратор проверил курс «{ $target }», и теперь он в каталоге. { $reason }
mail-course-approved-action = Открыть курс
mail-course-approved-footer = Команда { $school }

mail-course-rejected-notice = Курс «{ $target }» не опубликован
mail-course-rejected-subject = Курс нужно доработать: { $target } — { $school }
mail-course-rejected-body = Администратор проверил курс «{ $target }» и не опубликовал его. Причина: { $reason }. Исправьте курс в студии и опубликуйте снова — он вернётся в очередь на проверку. Решение принял человек; если вы не согласны, ответьте на это письмо.
mail-course-rejected-action = Редактировать курс
mail-course-rejected-footer = Команда { $school }

mail-course-unpublished-notice = Курс «{ $target }» снят с публикации
mail-course-unpublished-subject = Ваш курс снят с публикации: { $target } — { $school }
mail-course-unpublished-body = Администратор убрал курс «{ $target }» из каталога. Причина: { $reason }. Исправьте курс в студии и опубликуйте снова, чтобы вернуть его в очередь на проверку. Решение принял человек; обжаловать его можно в течение шести месяцев, ответив на это письмо.
mail-course-unpublished-action = Редактировать курс
mail-course-unpublished-footer = Команда { $school }

mail-review-approved-notice = Ваш отзыв о курсе «{ $target }» опубликован
mail-review-approved-subject = Ваш отзыв опубликован — { $school }
mail-review-approved-body = Администратор проверил ваш отзыв о курсе «{ $target }»: теперь он виден всем и учитывается в рейтинге курса.
mail-review-approved-action = Открыть курс
mail-review-approved-footer = Команда { $school }

mail-review-hidden-notice = Ваш отзыв о курсе «{ $target }» скрыт
mail-review-hidden-subject = Ваш отзыв скрыт — { $school }
mail-review-hidden-body = Ваш отзыв о курсе «{ $target }» скрыт и больше не виден другим. Причина: { $reason }. Отзыв может быть критическим, но не оскорбительным, не рекламным и по делу. Решение принял человек; обжаловать его можно в течение шести месяцев, ответив на это письмо.
mail-review-hidden-action = Открыть курс
mail-review-hidden-footer = Команда { $school }

mail-report-resolved-notice = Мы рассмотрели вашу жалобу: { $target }
mail-report-resolved-subject = Мы рассмотрели вашу жалобу — { $school }
mail-report-resolved-body = Спасибо за жалобу на { $target } ({ $report_reason ->
        [spam] спам
        [abuse] оскорбления
        [copyright] нарушение авторских прав
        [misleading] вводящее в заблуждение содержание
       *[other] другая причина
    }). Итог: { $action ->
        [dismiss] нарушений правил школы не найдено, материал остаётся
        [hide] материал скрыт
        [unpublish] материал убран из каталога
       *[lock_user] аккаунт нарушителя заблокирован
    }. { $reason }
mail-report-resolved-action = Открыть страницу
mail-report-resolved-footer = Команда { $school }

mail-report-action-notice = Решение по жалобе: { $target }
mail-report-action-subject = Решение о вашем материале — { $school }
mail-report-action-body = После жалобы ({ $report_reason ->
        [spam] спам
        [abuse] оскорбления
        [copyright] нарушение авторских прав
        [misleading] вводящее в заблуждение содержание
       *[other] другая причина
    }) { $target }: { $action ->
        [hide] скрыто
        [unpublish] убрано из каталога
       *[lock_user] ваш аккаунт заблокирован
    }. Факты и нарушенное правило: { $reason }. Решение принял человек, а не автоматическая система. Обжаловать его можно в течение шести месяцев, ответив на это письмо.
mail-report-action-action = Открыть страницу
mail-report-action-footer = Команда { $school }
mail-verification-approved-notice = Вы подтверждённый преподаватель
mail-verification-approved-subject = Вы подтверждены — { $school }
mail-verification-approved-body = Администратор проверил ваши документы: на ваших страницах теперь есть значок подтверждённого преподавателя, а курсы, прошедшие автоматическую проверку, публикуются сразу.
mail-verification-approved-action = Открыть студию
mail-verification-approved-footer = Команда { $school }
mail-verification-rejected-notice = Подтверждение не одобрено
mail-verification-rejected-subject = Подтверждение нужно повторить — { $school }
mail-verification-rejected-body = Администратор проверил ваши документы и не смог вас подтвердить. Причина: { $reason }. Новые документы можно отправить из студии в любое время. Решение принял человек; если вы не согласны, ответьте на это письмо.
mail-verification-rejected-action = Отправить документы снова
mail-verification-rejected-footer = Команда { $school }

mail-qa-approved-notice = Ваше сообщение в курсе «{ $target }» опубликовано
mail-qa-approved-subject = Ваше сообщение опубликовано — { $school }
mail-qa-approved-body = Администратор проверил ваш вопрос или ответ в курсе «{ $target }»: теперь его видят участники курса.
mail-qa-approved-action = Открыть обсуждение
mail-qa-approved-footer = Команда { $school }

mail-qa-hidden-notice = Ваше сообщение в курсе «{ $target }» скрыто
mail-qa-hidden-subject = Ваше сообщение скрыто — { $school }
mail-qa-hidden-body = Ваш вопрос или ответ в курсе «{ $target }» скрыт и больше не виден участникам курса. Причина: { $reason }. Решение принял человек; обжаловать его можно в течение шести месяцев, ответив на это письмо.
mail-qa-hidden-action = Открыть урок
mail-qa-hidden-footer = Команда { $school }
